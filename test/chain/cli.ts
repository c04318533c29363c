import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

const BIN = join(import.meta.dirname, '../../packages/cli/bin/backfill.js');

/** A chain pipeline over slots [start, end], stored in `.backfill/`. */
export function writeChainPipeline(
  cwd: string,
  spec: { url: string; programs: string[]; start: number; end: number },
): string {
  mkdirSync(join(cwd, 'pipelines'), { recursive: true });
  const file = join(cwd, 'pipelines/chain.yaml');
  writeFileSync(
    file,
    [
      'version: 1',
      'name: chain-e2e',
      `window: { start_block: ${spec.start}, end_block: ${spec.end} }`,
      'source:',
      '  use: chain',
      '  batch_size: 25',
      '  with:',
      `    programs: [${spec.programs.join(', ')}]`,
      `    rpc_url: ${spec.url}`,
      '    requests_per_second: 2000',
      'store:',
      '  use: sqlite',
      '  with: { path: .backfill/chain.db }',
      '',
    ].join('\n'),
  );
  return file;
}

/** `backfill run --force pipelines/chain.yaml` in `cwd`, as a user types it. */
export function spawnRun(cwd: string): ChildProcess {
  return spawn(
    process.execPath,
    [BIN, 'run', '--force', 'pipelines/chain.yaml'],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

/** Resolves once the child logged that its run started (or it exited). */
export function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    child.stderr?.on('data', (data) => {
      text += data;
      if (text.includes('"run started"')) resolve();
    });
    child.on('exit', () => resolve());
  });
}

/** Runs to the end: the exit code and what the child wrote. */
export async function runToEnd(
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnRun(cwd);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data) => {
    stdout += data;
  });
  child.stderr?.on('data', (data) => {
    stderr += data;
  });
  return { code: await exitOf(child), stdout, stderr };
}

/** Rows of the chain table in `file`; 0 before the first batch. */
export function storedRows(file: string): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE name = 'chain'")
      .get();
    if (!table) return 0;
    return (
      db.prepare('SELECT count(*) AS n FROM chain').get() as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

/** Resolves once `file` holds more than `rows` rows, or the child exited. */
export async function grown(
  file: string,
  rows: number,
  child: ChildProcess,
): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    if (storedRows(file) > rows) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
