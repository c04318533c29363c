import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { query, tempFolder } from '../engine/helpers.ts';
import { main } from './port-from-older-service.ts';

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

describe('the example ported from the older service', () => {
  it('loads, registers, schedules, runs and reports', async () => {
    folder = tempFolder();
    const lines: string[] = [];
    await main(folder.cwd, (l) => lines.push(l));

    expect(lines).toEqual([
      'marginfi-history: succeeded, 200 records stored, 0 chunks already done',
      'counting: succeeded, 300 records stored, 0 chunks already done',
      'nightly-leverage: succeeded, 100 records stored, 0 chunks already done',
      'again: nightly-leverage: succeeded, 0 records stored, 1 chunks already done',
      'status: 0 active, 4 completed, 0 failed, 3 scheduled, ' +
        'last run 2026-03-01T00:00:00.000Z, next run 2026-03-01T02:00:00.000Z',
      'progress of counting: 100%, 300 records, eta null',
    ]);
    const db = join(folder.cwd, 'history.db');
    expect(
      query(db, 'SELECT count(*) AS n, min(key) AS first FROM chain'),
    ).toEqual([{ n: 300, first: 'leverage:1000' }]);
    expect(query(db, 'SELECT count(*) AS n FROM counting')).toEqual([
      { n: 300 },
    ]);
    expect(
      query(db, 'SELECT pipeline, status FROM runs ORDER BY rowid'),
    ).toEqual([
      { pipeline: 'marginfi-history', status: 'succeeded' },
      { pipeline: 'counting', status: 'succeeded' },
      { pipeline: 'nightly-leverage', status: 'succeeded' },
      { pipeline: 'nightly-leverage', status: 'succeeded' },
    ]);
  });
});
