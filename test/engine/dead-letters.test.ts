import { join } from 'node:path';

import sqlite from '@backfill/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';

import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';
import tap, { seen } from '../fixtures/plugins/tap-plugin/index.ts';
import { fakeClock } from './fake-clock.ts';
import {
  countingPipeline,
  query,
  tableContent,
  tempFolder,
} from './helpers.ts';

const registry = registryOf([counting, sqlite, tap]);
let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

describe('a poison record', () => {
  it('lands in dead_letters while the other records flow', async () => {
    folder = tempFolder();
    const { clock, sleeps } = fakeClock();
    const summary = await runPipeline(
      countingPipeline({
        maxRetries: 2,
        with: { poison_slot: 42 },
        transform: [{ use: 'reject-poison', with: {} }],
      }),
      { registry, cwd: folder.cwd, clock, retry: { random: () => 0 } },
    );

    expect(summary).toMatchObject({
      status: 'succeeded',
      recordsFetched: 1000,
      recordsStored: 999,
      recordsDeadLettered: 1,
    });
    // The batch holding it was retried max_retries times first.
    expect(sleeps).toEqual([0, 0]);
    const db = join(folder.cwd, '.backfill/backfill.db');
    const rows = tableContent(db, 'counting');
    expect(rows.size).toBe(999);
    expect(rows.has('slot-42')).toBe(false);
    expect(rows.get('slot-43')).toBe(
      '{"slot":43,"parity":"odd","tapped":true}',
    );
    expect(
      query(
        db,
        `SELECT chunk_id, collection, stage, record_key, record, error_code,
           error_message, attempts FROM dead_letters`,
      ),
    ).toEqual([
      {
        chunk_id: 'slots:0-999',
        collection: 'counting',
        stage: 'transform',
        record_key: 'slot-42',
        record:
          '{"key":"slot-42","value":{"slot":42,"parity":"even","poison":true}}',
        error_code: 'UNKNOWN',
        error_message: 'poison slot-42',
        attempts: 3,
      },
    ]);
    expect(query(db, 'SELECT cursor, records FROM chunks')).toEqual([
      { cursor: '{"next":1000}', records: 999 },
    ]);
  });
});

describe('hooks tapped by a plugin outside core', () => {
  it('see every metric the run counts', async () => {
    folder = tempFolder();
    seen.length = 0;
    await runPipeline(countingPipeline(), {
      registry,
      cwd: folder.cwd,
      chunkSlots: 500,
    });
    const total = (name: string) =>
      seen.filter((e) => e.name === name).reduce((n, e) => n + e.value, 0);
    expect(total('records_fetched')).toBe(1000);
    expect(total('records_stored')).toBe(1000);
    expect(total('source_requests')).toBe(10);
    expect(
      seen.filter((e) => e.name === 'chunks').map((e) => e.labels.state),
    ).toEqual(['done', 'done']);
  });
});
