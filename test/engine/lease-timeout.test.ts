import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import sqlite from '@backfill/store-sqlite';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';
import { countingPipeline, query, tempFolder } from './helpers.ts';

const registry = registryOf([counting, sqlite]);
let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

const hanging = () => countingPipeline({ with: { hang: true } });

describe('the lease of a pipeline', () => {
  it('refuses a second concurrent run, naming the holder and since when', async () => {
    folder = tempFolder();
    const stop = new AbortController();
    const first = runPipeline(hanging(), {
      registry,
      cwd: folder.cwd,
      runId: 'first',
      stop: stop.signal,
    });
    const db = join(folder.cwd, '.backfill/backfill.db');
    await waitFor(
      () => existsSync(db) && query(db, 'SELECT 1 FROM runs').length === 1,
    );
    const [lease] = query<{ since: string }>(db, 'SELECT since FROM leases');

    const holder = `${hostname()}:${process.pid}:first`;
    const refused = `pipeline counting is being run by ${holder} since ${lease?.since}`;
    await expect(
      runPipeline(hanging(), { registry, cwd: folder.cwd }),
    ).rejects.toMatchObject({
      code: 'ENGINE_LEASE_HELD',
      message: `${refused}; wait for it, or pass --force if that run is gone`,
    });
    // --force does not take over from a holder that is alive.
    await expect(
      runPipeline(hanging(), { registry, cwd: folder.cwd, force: true }),
    ).rejects.toMatchObject({
      message: `${refused}; and that holder is still alive: stop it first`,
    });

    stop.abort();
    expect((await first).status).toBe('interrupted');
    expect(query(db, 'SELECT state, cursor FROM chunks')).toEqual([
      { state: 'pending', cursor: null },
    ]);
    expect(query(db, 'SELECT * FROM leases')).toEqual([]);
  });

  it('is taken over with --force when its holder is gone', async () => {
    folder = tempFolder();
    const db = join(folder.cwd, '.backfill/backfill.db');
    await runPipeline(countingPipeline(), { registry, cwd: folder.cwd });
    const write = new Database(db);
    write
      .prepare(
        `INSERT INTO leases VALUES ('counting', ?, ?, 999999999, 'gone',
           '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run(`${hostname()}:999999999:gone`, hostname());
    write.close();

    await expect(
      runPipeline(countingPipeline(), { registry, cwd: folder.cwd }),
    ).rejects.toMatchObject({
      code: 'ENGINE_LEASE_HELD',
      message:
        `pipeline counting is being run by ${hostname()}:999999999:gone ` +
        'since 2026-01-01T00:00:00.000Z; its process 999999999 no longer ' +
        'runs on this host (a crash, say): pass --force to take the lease ' +
        'over',
    });
    const forced = await runPipeline(countingPipeline(), {
      registry,
      cwd: folder.cwd,
      force: true,
    });
    expect(forced.status).toBe('succeeded');
  });
});

describe('the timeout of a run', () => {
  it('aborts the source through its signal and leaves the chunk pending', async () => {
    folder = tempFolder();
    const summary = await runPipeline(
      countingPipeline({ with: { hang: true }, timeoutMs: 50 }),
      { registry, cwd: folder.cwd },
    );
    expect(summary.status).toBe('timed_out');
    expect(summary.error).toEqual({
      code: 'ENGINE_TIMEOUT',
      message: 'the run timed out after 50 ms',
    });
    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(query(db, 'SELECT state FROM chunks')).toEqual([
      { state: 'pending' },
    ]);
    expect(query(db, 'SELECT status, error FROM runs')).toEqual([
      { status: 'timed_out', error: 'the run timed out after 50 ms' },
    ]);
  });
});

async function waitFor(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((r) => setTimeout(r, 10));
}
