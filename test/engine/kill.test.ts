import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { query, tableContent, tempFolder } from './helpers.ts';

const BIN = join(import.meta.dirname, '../../packages/cli/bin/backfill.js');
const PLUGIN = join(import.meta.dirname, '../fixtures/plugins/counting-source');
const KILLS = 20;
const RECORDS = 20_000;

/** A small seeded generator, so that a failure can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A throwaway host project: the counting plugin and one pipeline. */
function writeProject(cwd: string, delayMs: number): void {
  mkdirSync(join(cwd, 'pipelines'), { recursive: true });
  writeFileSync(
    join(cwd, 'backfill.config.json'),
    JSON.stringify({ plugins: [PLUGIN] }),
  );
  writeFileSync(
    join(cwd, 'pipelines/count.yaml'),
    [
      'version: 1',
      'name: count',
      `window: { start_block: 0, end_block: ${RECORDS - 1} }`,
      'source:',
      '  use: counting',
      '  batch_size: 200',
      `  with: { delay_ms: ${delayMs} }`,
      'store: { use: sqlite }',
      '',
    ].join('\n'),
  );
}

/** `backfill run --force` in `cwd`, as a user would type it. */
function spawnRun(cwd: string, delayMs: number): ChildProcess {
  writeProject(cwd, delayMs);
  return spawn(process.execPath, [BIN, 'run', '--force'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** Resolves once the child logged that its run started. */
function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    child.stderr?.on('data', (data) => {
      text += data;
      if (text.includes('"run started"')) resolve();
    });
    child.on('exit', () => resolve());
  });
}

const folders = [tempFolder(), tempFolder(), tempFolder()];
afterAll(() => {
  for (const folder of folders) folder.remove();
});

describe('a run killed with SIGKILL at random instants', () => {
  it('ends, after reruns, identical to one clean run', {
    timeout: 170_000,
  }, async () => {
    const [clean, killed] = folders as [
      (typeof folders)[0],
      (typeof folders)[0],
    ];
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);

    let killedMidRun = 0;
    for (let i = 0; i < KILLS; i++) {
      const child = spawnRun(killed.cwd, 100);
      const exit = exitOf(child);
      await started(child);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
      if (child.kill('SIGKILL')) killedMidRun++;
      await exit;
    }
    const last = spawnRun(killed.cwd, 0);
    expect(await exitOf(last), `seed ${seed}`).toBe(0);
    const reference = spawnRun(clean.cwd, 0);
    expect(await exitOf(reference)).toBe(0);

    const db = (f: { cwd: string }) => join(f.cwd, '.backfill/backfill.db');
    const want = tableContent(db(clean), 'counting');
    const got = tableContent(db(killed), 'counting');
    expect(want.size).toBe(RECORDS);
    expect(got.size, `seed ${seed}`).toBe(RECORDS);
    expect(got, `seed ${seed}`).toEqual(want);
    for (let n = 0; n < RECORDS; n++) expect(got.has(`slot-${n}`)).toBe(true);
    // The cursor committed with the records: each stored exactly once.
    expect(
      query(
        db(killed),
        'SELECT sum(records) AS n, min(state) AS s FROM chunks',
      ),
    ).toEqual([{ n: RECORDS, s: 'done' }]);
    expect(killedMidRun).toBeGreaterThanOrEqual(20);
  });
});

describe('a run stopped by SIGTERM', () => {
  it('exits 143 with the ledger consistent and the lease released', async () => {
    const folder = folders[2] as (typeof folders)[0];
    const child = spawnRun(folder.cwd, 150);
    const exit = exitOf(child);
    await started(child);
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    expect(await exit).toBe(143);

    const db = join(folder.cwd, '.backfill/backfill.db');
    const chunks = query<{
      state: string;
      cursor: string | null;
      records: number;
    }>(db, 'SELECT state, cursor, records FROM chunks');
    expect(chunks.map((c) => c.state)).toEqual(['pending']);
    // Each cursor sits right after the records stored for its chunk.
    const stored = query<{ key: string }>(db, 'SELECT key FROM counting');
    const committed = chunks.reduce((n, c) => n + c.records, 0);
    expect(stored.length).toBe(committed);
    expect(query(db, 'SELECT * FROM leases')).toEqual([]);
    expect(query(db, 'SELECT status FROM runs')).toEqual([
      { status: 'interrupted' },
    ]);
  });
});
