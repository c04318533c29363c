import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { tempFolder } from './helpers.ts';

const BIN = join(import.meta.dirname, '../../packages/cli/bin/backfill.js');
const COUNTING = join(
  import.meta.dirname,
  '../fixtures/plugins/counting-source',
);
// util-linux `script` gives the child a real pseudo-terminal.
const SCRIPT = '/usr/bin/script';
const BAR_END = 'chunks 1/1 | 2000 records';

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

function project(): string {
  folder = tempFolder();
  writeFileSync(
    join(folder.cwd, 'backfill.config.json'),
    JSON.stringify({ plugins: [COUNTING] }),
  );
  writeFileSync(
    join(folder.cwd, 'count.yaml'),
    [
      'version: 1',
      'name: count',
      'window: { start_block: 0, end_block: 1999 }',
      'source: { use: counting, batch_size: 100, with: {} }',
      'store: { use: sqlite }',
      '',
    ].join('\n'),
  );
  return folder.cwd;
}

/** `backfill run count.yaml ...` on a terminal: everything it drew. */
function onTerminal(cwd: string, env: NodeJS.ProcessEnv, ...flags: string[]) {
  const command = [process.execPath, BIN, 'run', 'count.yaml', ...flags]
    .map((word) => `'${word}'`)
    .join(' ');
  const result = spawnSync(SCRIPT, ['-qec', command, '/dev/null'], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, screen: result.stdout };
}

describe.skipIf(!existsSync(SCRIPT))('backfill run on a terminal', () => {
  const quiet = { CI: undefined, NO_COLOR: undefined };

  it('draws a progress bar that ends at every chunk and record', () => {
    const { code, screen } = onTerminal(project(), quiet, '--log-level=warn');
    expect(code).toBe(0);
    expect(screen).toContain(BAR_END);
    expect(screen).toContain('100%');
  });

  it('draws no bar when CI is set', () => {
    const run = onTerminal(project(), { ...quiet, CI: 'true' });
    expect(run.code).toBe(0);
    expect(run.screen).not.toContain(BAR_END);
    expect(run.screen).toContain('count: succeeded, 2000 records stored');
  });

  it('draws no bar with --json', () => {
    const run = onTerminal(project(), quiet, '--json');
    expect(run.code).toBe(0);
    expect(run.screen).not.toContain(BAR_END);
  });

  it('writes pretty logs, without colour under --no-color', () => {
    const run = onTerminal(project(), quiet, '--no-color');
    expect(run.screen).toMatch(/INFO: run ended/);
    expect(run.screen).not.toContain('\u001b[32mINFO');
  });
});

describe('backfill run off a terminal', () => {
  it('writes JSON log lines and no bar', () => {
    const cwd = project();
    const result = spawnSync(process.execPath, [BIN, 'run', 'count.yaml'], {
      cwd,
      env: { ...process.env, CI: undefined },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain(BAR_END);
    const lines = result.stderr.trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      level: 'info',
      pipeline: 'count',
      msg: 'run ended',
    });
  });

  it('refuses an unknown --log-level as wrong usage', () => {
    const result = spawnSync(
      process.execPath,
      [BIN, 'run', 'count.yaml', '--log-level', 'loud'],
      { cwd: project(), encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "option '--log-level <level>' argument 'loud' is invalid",
    );
  });
});
