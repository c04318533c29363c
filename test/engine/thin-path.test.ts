import { join } from 'node:path';

import sqlite from '@backfill/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';

import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';
import {
  countingPipeline,
  query,
  tableContent,
  tempFolder,
} from './helpers.ts';

const registry = registryOf([counting, sqlite]);
let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

describe('a run from a source into the sqlite store', () => {
  it('upserts every record and marks every chunk done', async () => {
    folder = tempFolder();
    const summary = await runPipeline(countingPipeline(), {
      registry,
      cwd: folder.cwd,
      chunkSlots: 250,
    });

    const db = join(folder.cwd, '.backfill/backfill.db');
    const rows = tableContent(db, 'counting');
    expect(rows.size).toBe(1000);
    expect(rows.get('slot-7')).toBe('{"slot":7,"parity":"odd"}');
    expect(summary).toMatchObject({
      status: 'succeeded',
      recordsFetched: 1000,
      recordsStored: 1000,
      chunks: { planned: 4, done: 4, failed: 0, pending: 0, skipped: 0 },
    });
    expect(
      query(db, 'SELECT id, state, cursor, records, progress FROM chunks'),
    ).toEqual([
      {
        id: 'slots:0-249',
        state: 'done',
        cursor: '{"next":250}',
        records: 250,
        progress: 1,
      },
      {
        id: 'slots:250-499',
        state: 'done',
        cursor: '{"next":500}',
        records: 250,
        progress: 1,
      },
      {
        id: 'slots:500-749',
        state: 'done',
        cursor: '{"next":750}',
        records: 250,
        progress: 1,
      },
      {
        id: 'slots:750-999',
        state: 'done',
        cursor: '{"next":1000}',
        records: 250,
        progress: 1,
      },
    ]);
    expect(query(db, 'SELECT count(*) AS n FROM leases')).toEqual([{ n: 0 }]);
  });

  it('skips the chunks an earlier run finished', async () => {
    folder = tempFolder();
    const options = { registry, cwd: folder.cwd, chunkSlots: 500 };
    await runPipeline(countingPipeline(), options);
    const again = await runPipeline(
      countingPipeline({ window: { kind: 'slot', start: 0, end: 1499 } }),
      options,
    );
    expect(again.chunks).toEqual({
      planned: 3,
      done: 1,
      failed: 0,
      pending: 0,
      skipped: 2,
    });
    expect(again.recordsStored).toBe(500);
  });
});
