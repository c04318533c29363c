import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { query, tableContent, tempFolder } from './helpers.ts';

const BIN = join(import.meta.dirname, '../../packages/cli/bin/backfill.js');
const CHILD = join(import.meta.dirname, 'kill-child.ts');
const TSX = createRequire(import.meta.url).resolve('tsx');
const PLUGIN = join(import.meta.dirname, '../fixtures/plugins/counting-source');
const SQLITE = join(import.meta.dirname, '../../plugins/store-sqlite');
const KILLS = 20;
// A killed child lives at most 300 ms after its run started, 3 batches at
// 100 ms each: 20 kills store at most 6,000 records, so every kill lands
// mid-run.
const RECORDS = 10_000;
const BATCH = 100;

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

/**
 * A throwaway host project: one pipeline over the counting plugin. `slim`
 * names the sqlite store in the host config too, for kill-child.ts, which
 * loads no bundled plugin.
 */
function writeProject(cwd: string, delayMs: number, slim: boolean): void {
  mkdirSync(join(cwd, 'pipelines'), { recursive: true });
  writeFileSync(
    join(cwd, 'backfill.config.json'),
    JSON.stringify({ plugins: slim ? [PLUGIN, SQLITE] : [PLUGIN] }),
  );
  writeFileSync(
    join(cwd, 'pipelines/count.yaml'),
    [
      'version: 1',
      'name: count',
      `window: { start_block: 0, end_block: ${RECORDS - 1} }`,
      'source:',
      '  use: counting',
      `  batch_size: ${BATCH}`,
      `  with: { delay_ms: ${delayMs} }`,
      'store: { use: sqlite }',
      '',
    ].join('\n'),
  );
}

/** `backfill run --force` in `cwd`, as a user would type it. */
function spawnRun(cwd: string, delayMs: number): ChildProcess {
  writeProject(cwd, delayMs, false);
  return spawn(process.execPath, [BIN, 'run', '--force'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * A warm kill-child.ts in `cwd`: modules and project loaded, waiting for
 * `go` to run as `backfill run --force` does. The project file is read
 * at spawn: rewrite it before spawning the child that should see it.
 */
function spawnWarmRun(cwd: string): ChildProcess & { go(): void } {
  const child = spawn(process.execPath, ['--import', TSX, CHILD], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return Object.assign(child, { go: () => child.stdin?.write('go\n') });
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
    timeout: 120_000,
  }, async () => {
    const [clean, killed] = folders as [
      (typeof folders)[0],
      (typeof folders)[0],
    ];
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);

    // The clean run, through the real CLI, meanwhile: it shares nothing.
    const reference = exitOf(spawnRun(clean.cwd, 0));
    const db = (f: { cwd: string }) => join(f.cwd, '.backfill/backfill.db');

    let killedMidRun = 0;
    writeProject(killed.cwd, 100, true);
    // Two children warm at any time: each has had two turns to load.
    const warm = [spawnWarmRun(killed.cwd), spawnWarmRun(killed.cwd)];
    for (let i = 0; i < KILLS; i++) {
      const child = warm.shift()!;
      const exit = exitOf(child);
      child.go();
      await started(child);
      warm.push(spawnWarmRun(killed.cwd)); // warms up while others run
      await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
      child.kill('SIGKILL');
      await exit;
      if (child.signalCode === 'SIGKILL') killedMidRun++;
    }
    // Every kill landed before the run could end.
    expect(
      query(db(killed), 'SELECT min(state) AS s FROM chunks'),
      `seed ${seed}`,
    ).not.toEqual([{ s: 'done' }]);
    // The last run, at full speed: a child that reads the new file.
    for (const spare of warm) spare.kill();
    writeProject(killed.cwd, 0, true);
    const last = spawnWarmRun(killed.cwd);
    last.go();
    expect(await exitOf(last), `seed ${seed}`).toBe(0);
    expect(await reference).toBe(0);

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
