/**
 * `backfill validate` as a user runs it: output lines, `--json`, exit
 * codes, `--no-env`, the default folder and `BACKFILL_JOBS`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { codeFrame } from '../../packages/cli/src/validate/report.ts';

const exec = promisify(execFile);
const bin = join(import.meta.dirname, '../../packages/cli/bin/backfill.js');
const host = mkdtempSync(join(tmpdir(), 'backfill-cli-'));

const GOOD = `version: 1
name: good
source:
  use: chain
  with: { programs: [marginfi] }
`;
const BAD = `version: 1
name: bad
schedul: "0 2 * * *"
source:
  use: chain
  batch_size: 0
  with: { programs: [marginfi], rpc_url: "\${BAD_RPC_URL}" }
`;
const files: Record<string, string> = {
  'package.json': '{ "name": "host" }',
  'backfill.config.yaml': 'pipelines: jobs\n',
  'jobs/good.yaml': GOOD,
  'other/bad.yaml': BAD,
};

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
function cli(args: string[], env: Record<string, string> = {}) {
  const { CI: _ci, BACKFILL_JOBS: _jobs, ...base } = process.env;
  return exec(process.execPath, [bin, ...args], {
    cwd: host,
    env: { ...base, ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const runs: Record<string, Promise<Result>> = {};
beforeAll(() => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(host, path)), { recursive: true });
    writeFileSync(join(host, path), text);
  }
  // Each run is a process of its own; two at a time, on a small machine.
  const queue: Array<() => Promise<Result>> = [];
  const later = (args: string[], env?: Record<string, string>) =>
    new Promise<Result>((resolve) => queue.push(() => cli(args, env).then((r) => (resolve(r), r))));
  runs.defaultFolder = later(['validate']);
  runs.invalid = later(['validate', 'other/bad.yaml']);
  runs.json = later(['validate', '--json', 'other', 'jobs']);
  runs.noEnv = later(['validate', '--no-env', '--json', 'other/bad.yaml']);
  runs.missing = later(['validate', 'nope.yaml']);
  runs.badFlag = later(['validate', '--strict']);
  runs.jobs = later(['validate'], {
    BACKFILL_JOBS: '[{ "name": "j", "request": { "source": "chian" } }]',
  });
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  };
  void Promise.all([worker(), worker()]);
});
afterAll(() => rmSync(host, { recursive: true, force: true }));

describe('backfill validate', () => {
  it('checks the host config pipelines folder when given no path', { timeout: 120_000 }, async () => {
    const r = await runs.defaultFolder!;
    expect(r.stdout).toBe(
      '1 file checked: 1 valid, 0 invalid, 0 errors; 1 pipeline\n',
    );
    expect(r.code).toBe(0);
  });

  it('prints path:line:col: CODE message per error and exits 1', async () => {
    const r = await runs.invalid!;
    expect(r.stdout.split('\n')).toEqual([
      'other/bad.yaml:3:1: UNKNOWN_KEY unknown key "schedul" in the document; did you mean "schedule"?',
      'other/bad.yaml:6:15: OUT_OF_RANGE source.batch_size must be from 1 to 10000, got 0',
      'other/bad.yaml:7:43: ENV_UNSET environment variable BAD_RPC_URL is not set (give a default with ${BAD_RPC_URL:-value}, or run with --no-env)',
      '1 file checked: 0 valid, 1 invalid, 3 errors; 0 pipelines',
      '',
    ]);
    expect(r.code).toBe(1);
  });

  it('prints one JSON document with --json', async () => {
    const r = await runs.json!;
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([
      'other/bad.yaml',
      'jobs/good.yaml',
    ]);
    expect(doc.files[0].valid).toBe(false);
    expect(doc.files[0].errors[0]).toEqual({
      code: 'UNKNOWN_KEY',
      message: 'unknown key "schedul" in the document; did you mean "schedule"?',
      line: 3,
      column: 1,
      pointer: '/schedul',
      expected: expect.stringContaining('"schedule"'),
      hint: 'did you mean "schedule"?',
    });
    expect(doc.files[1]).toEqual({
      path: 'jobs/good.yaml',
      valid: true,
      errors: [],
    });
  });

  it('treats every variable as set with --no-env', async () => {
    const r = await runs.noEnv!;
    const codes = JSON.parse(r.stdout).files[0].errors.map(
      (e: { code: string }) => e.code,
    );
    expect(codes).toEqual(['UNKNOWN_KEY', 'OUT_OF_RANGE']);
  });

  it('exits 2 for a path that does not exist', async () => {
    const r = await runs.missing!;
    expect(r.stderr).toBe('backfill: no such file or folder: nope.yaml\n');
    expect(r.code).toBe(2);
  });

  it('exits 2 for an unknown flag', async () => {
    expect((await runs.badFlag!).code).toBe(2);
  });

  it('includes BACKFILL_JOBS when given no path', async () => {
    const r = await runs.jobs!;
    expect(r.stdout).toContain(
      '$BACKFILL_JOBS:1:40: INVALID_VALUE [0].request.source must be one of',
    );
    expect(r.code).toBe(1);
  });
});

describe('code frame', () => {
  it('shows the lines before the error and a caret under its column', () => {
    expect(codeFrame('a: 1\nb: 2\nc: [3\nd: 4\ne: 5\n', 3, 5)).toBe(
      [
        '  1 | a: 1',
        '  2 | b: 2',
        '> 3 | c: [3',
        '    |     ^',
        '  4 | d: 4',
      ].join('\n'),
    );
  });
});
