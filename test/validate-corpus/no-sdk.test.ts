/**
 * `backfill validate` checks every bundled source's parameters without
 * loading the Solana or AWS SDKs: a preloaded hook records each SDK module
 * a process loads, and the control cases prove the hook sees them.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const watch = join(
  root,
  'packages/core/test/fixtures/sdk-watch/register.mjs',
);
const scratch = mkdtempSync(join(tmpdir(), 'backfill-sdk-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
async function sdkModulesLoadedBy(args: string[], cwd: string) {
  const marker = join(scratch, `marker-${n++}`);
  const { CI: _ci, ...env } = process.env;
  const result = await run(process.execPath, ['--import', watch, ...args], {
    cwd,
    env: { ...env, BACKFILL_SDK_MARKER: marker },
  }).catch((error) => error);
  const loaded = existsSync(marker)
    ? readFileSync(marker, 'utf8').split('\n').filter(Boolean)
    : [];
  return { loaded, code: result.code ?? 0, stdout: String(result.stdout) };
}

describe('validate and the SDKs', () => {
  it('sees the AWS SDK when something imports it (control)', async () => {
    const { loaded } = await sdkModulesLoadedBy(
      ['--input-type=module', '-e', "await import('@aws-sdk/client-glacier')"],
      join(root, 'test'),
    );
    expect(loaded.some((m) => m.includes('@aws-sdk'))).toBe(true);
  });

  it('sees the Solana SDK when something imports it (control)', async () => {
    const { loaded } = await sdkModulesLoadedBy(
      ['--input-type=module', '-e', "await import('@solana/web3.js')"],
      join(root, 'plugins/source-chain'),
    );
    expect(loaded.some((m) => m.includes('@solana/web3.js'))).toBe(true);
  });

  it('validates chain, glacier and off-chain pipelines without loading either', async () => {
    const { loaded, code, stdout } = await sdkModulesLoadedBy(
      [
        join(root, 'packages/cli/bin/backfill.js'),
        'validate',
        'pipelines',
        'test/job-lists/three-sources.json',
      ],
      root,
    );
    expect(stdout).toContain('0 invalid');
    expect(code).toBe(0);
    expect(loaded).toEqual([]);
  });
});
