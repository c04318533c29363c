import { join } from 'node:path';

import {
  definePlugin,
  PLUGIN_API_VERSION,
  type StoreWrite,
} from '@backfill/plugin-kit';
import { sqliteStore } from '@backfill/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';

import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';
import { countingPipeline, query, tempFolder } from './helpers.ts';

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

/**
 * The sqlite store, with a write that fails as `fails` says: a database
 * that was busy once, or a row it can never take.
 */
function failingStore(fails: (batch: StoreWrite, call: number) => boolean) {
  let calls = 0;
  return definePlugin({
    name: 'backfill-plugin-failing-store',
    apiVersion: PLUGIN_API_VERSION,
    stores: [
      {
        ...sqliteStore,
        name: 'failing',
        async open(ctx) {
          const session = await sqliteStore.open(ctx);
          return {
            ...session,
            async write(batch) {
              if (fails(batch, ++calls)) throw new Error('database is busy');
              return session.write(batch);
            },
          };
        },
      },
    ],
  });
}

const pipeline = () =>
  countingPipeline({
    window: { kind: 'slot', start: 0, end: 99 },
    store: { use: 'failing', with: {} },
    transform: [{ use: 'dedupe', with: {} }],
    maxRetries: 2,
  });

describe('a batch whose write is retried', () => {
  it('is not transformed again: dedupe keeps every record', async () => {
    folder = tempFolder();
    const store = failingStore((_, call) => call === 1);
    const summary = await runPipeline(pipeline(), {
      registry: registryOf([counting, store]),
      cwd: folder.cwd,
      retry: { baseMs: 1, random: () => 0 },
    });
    expect(summary).toMatchObject({
      status: 'succeeded',
      recordsStored: 100,
      recordsDeadLettered: 0,
      recordsFiltered: 0,
    });
    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(query(db, 'SELECT count(*) AS n FROM counting')).toEqual([
      { n: 100 },
    ]);
  });

  it('record by record after its retries, as transformed once', async () => {
    folder = tempFolder();
    const poison = (batch: StoreWrite) =>
      batch.records.some((r) => r.key === 'slot-42');
    const summary = await runPipeline(pipeline(), {
      registry: registryOf([counting, failingStore(poison)]),
      cwd: folder.cwd,
      retry: { baseMs: 1, random: () => 0 },
    });
    expect(summary).toMatchObject({
      status: 'succeeded',
      recordsStored: 99,
      recordsDeadLettered: 1,
      recordsFiltered: 0,
    });
    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(query(db, 'SELECT count(*) AS n FROM counting')).toEqual([
      { n: 99 },
    ]);
    expect(
      query(db, 'SELECT record_key, stage, error_message FROM dead_letters'),
    ).toEqual([
      {
        record_key: 'slot-42',
        stage: 'store',
        error_message: 'database is busy',
      },
    ]);
  });
});
