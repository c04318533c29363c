import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { definePlugin, PLUGIN_API_VERSION } from '@backfill/plugin-kit';
import sqlite, { sqliteStore } from '@backfill/store-sqlite';
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

/** The sqlite store, but releasing a lease fails (its server went away). */
const unreleasing = definePlugin({
  name: 'backfill-plugin-unreleasing',
  apiVersion: PLUGIN_API_VERSION,
  stores: [
    {
      ...sqliteStore,
      name: 'unreleasing',
      async open(ctx) {
        const session = await sqliteStore.open(ctx);
        const state = session.state as NonNullable<typeof session.state>;
        return {
          ...session,
          state: new Proxy(state, {
            get(target, name) {
              if (name === 'releaseLease') {
                return async () => {
                  throw new Error('connect ECONNREFUSED 127.0.0.1:54329');
                };
              }
              const value = Reflect.get(target, name, target);
              return typeof value === 'function' ? value.bind(target) : value;
            },
          }),
        };
      },
    },
  ],
});

describe('releasing the lease', () => {
  it('a failure is logged and does not replace the run outcome', async () => {
    folder = tempFolder();
    const summary = await runPipeline(
      countingPipeline({ store: { use: 'unreleasing', with: {} } }),
      { registry: registryOf([counting, unreleasing]), cwd: folder.cwd },
    );
    expect(summary).toMatchObject({
      status: 'succeeded',
      recordsStored: 1000,
    });
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
