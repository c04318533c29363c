import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { vi } from 'vitest';

import { main } from '../../packages/cli/src/main.ts';

const COUNTING = join(
  import.meta.dirname,
  '../fixtures/plugins/counting-source',
);
const REJECT = join(import.meta.dirname, 'reject-plugin');

/**
 * A host project in `cwd`: the counting source and the reject transform
 * as config plugins, and one pipeline `count` over slots 0 to 999.
 */
export function writeCountProject(
  cwd: string,
  pipeline: { with?: string; transform?: string[]; extra?: string[] } = {},
): void {
  mkdirSync(join(cwd, 'pipelines'), { recursive: true });
  writeFileSync(
    join(cwd, 'backfill.config.json'),
    JSON.stringify({ plugins: [COUNTING, REJECT] }),
  );
  writeFileSync(
    join(cwd, 'pipelines/count.yaml'),
    [
      'version: 1',
      'name: count',
      'window: { start_block: 0, end_block: 999 }',
      'source:',
      '  use: counting',
      '  batch_size: 100',
      `  with: ${pipeline.with ?? '{}'}`,
      ...(pipeline.transform?.length
        ? ['transform:', ...pipeline.transform.map((t) => `  - ${t}`)]
        : []),
      'store: { use: sqlite }',
      'max_retries: 0',
      ...(pipeline.extra ?? []),
      '',
    ].join('\n'),
  );
}

/**
 * `backfill <args>` in `cwd`, in this process: what it wrote on stdout
 * and stderr, and its exit code. Logs (pino, on fd 2) are silenced.
 */
export async function cli(
  cwd: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const write = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
  const writeErr = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
  // main() adds EPIPE listeners on each call: drop them after.
  const listeners = [process.stdout, process.stderr].map((s) =>
    s.listeners('error'),
  );
  const before = process.cwd();
  const level = process.env.BACKFILL_LOG_LEVEL;
  process.env.BACKFILL_LOG_LEVEL = 'silent';
  process.chdir(cwd);
  try {
    await main(args);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = 0;
    process.chdir(before);
    if (level === undefined) delete process.env.BACKFILL_LOG_LEVEL;
    else process.env.BACKFILL_LOG_LEVEL = level;
    write.mockRestore();
    writeErr.mockRestore();
    [process.stdout, process.stderr].forEach((stream, i) => {
      for (const listener of stream.listeners('error')) {
        if (!listeners[i]?.includes(listener)) {
          stream.off('error', listener as (e: Error) => void);
        }
      }
    });
  }
}
