import { hostname } from 'node:os';
import { join } from 'node:path';

import { silentLogger } from '@backfill/plugin-kit';
import { sqliteStore } from '@backfill/store-sqlite';

import { afterEach, describe, expect, it } from 'vitest';

import { cli, writeCountProject } from './cli.ts';
import { query, tempFolder } from './helpers.ts';

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

describe('backfill dlq', () => {
  it('lists a poison record, then replays it once the transform is fixed', async () => {
    folder = tempFolder();
    const db = join(folder.cwd, '.backfill/backfill.db');
    writeCountProject(folder.cwd, {
      transform: ['{ use: reject, with: { slots: [42] } }'],
    });

    const run = await cli(folder.cwd, 'run');
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'count: succeeded, 999 records stored, 1 dead-lettered; chunks ' +
        '1 done, 0 failed, 0 pending, 0 already done\n',
    });

    const list = await cli(folder.cwd, 'dlq', 'list', 'count', '--json');
    expect(list.code).toBe(0);
    const letters = JSON.parse(list.stdout).deadLetters;
    expect(letters).toEqual([
      {
        id: 1,
        pipeline: 'count',
        runId: expect.any(String),
        chunkId: 'slots:0-999',
        collection: 'counting',
        stage: 'transform',
        record: { key: 'slot-42', value: { slot: 42, parity: 'even' } },
        errorCode: 'UNKNOWN',
        errorMessage: 'rejected slot-42',
        attempts: 1,
        at: expect.any(String),
      },
    ]);
    const text = await cli(folder.cwd, 'dlq', 'list');
    expect(text.stdout).toBe(
      `#1 count slot-42 (transform, 1 attempts, ${letters[0].at}): ` +
        'UNKNOWN rejected slot-42\n',
    );

    // Still rejected: the letter stays and replay exits 1.
    expect(await cli(folder.cwd, 'dlq', 'replay', 'count')).toEqual({
      code: 1,
      stderr: '',
      stdout: 'count: 0 replayed, 1 still failing\n',
    });

    writeCountProject(folder.cwd); // the transform fixed: no rejection
    expect(await cli(folder.cwd, 'dlq', 'replay', 'count')).toEqual({
      code: 0,
      stderr: '',
      stdout: 'count: 1 replayed, 0 still failing\n',
    });
    expect(
      query(db, "SELECT data FROM counting WHERE key = 'slot-42'"),
    ).toEqual([{ data: '{"slot":42,"parity":"even"}' }]);
    expect(query(db, 'SELECT count(*) AS n FROM counting')).toEqual([
      { n: 1000 },
    ]);
    expect(query(db, 'SELECT count(*) AS n FROM dead_letters')).toEqual([
      { n: 0 },
    ]);
    expect(await cli(folder.cwd, 'dlq', 'list')).toEqual({
      code: 0,
      stderr: '',
      stdout: 'no dead letters\n',
    });
  });
});

describe('backfill dlq replay while the pipeline runs', () => {
  it('exits 1 naming the holder and replays nothing', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd, {
      transform: ['{ use: reject, with: { slots: [42] } }'],
    });
    await cli(folder.cwd, 'run');
    writeCountProject(folder.cwd);

    // A run of `count` in progress: a live pid (ours) on this host.
    const session = await sqliteStore.open({
      params: {},
      logger: silentLogger,
      cwd: folder.cwd,
    });
    const holder = `${hostname()}:${process.pid}:other-run`;
    await session.state?.acquireLease({
      pipeline: 'count',
      holder,
      host: hostname(),
      pid: process.pid,
      runId: 'other-run',
      since: '2026-03-01T00:00:00.000Z',
      heartbeatAt: new Date().toISOString(),
    });
    await session.close();

    expect(await cli(folder.cwd, 'dlq', 'replay', 'count')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `backfill: pipeline count is being run by ${holder} since ` +
        '2026-03-01T00:00:00.000Z; replay once that run has ended\n',
    });
    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(query(db, 'SELECT record_key FROM dead_letters')).toEqual([
      { record_key: 'slot-42' },
    ]);
    expect(query(db, 'SELECT holder FROM leases')).toEqual([{ holder }]);
  });
});

describe('a record a filter expression throws on', () => {
  it('is dead-lettered with the expression message, not [object Object]', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd, {
      transform: [
        `{ use: filter, with: { where: "slot = 42 ? $error('bad amount') : true" } }`,
      ],
    });
    expect((await cli(folder.cwd, 'run')).code).toBe(0);

    const list = await cli(folder.cwd, 'dlq', 'list', 'count', '--json');
    const [letter] = JSON.parse(list.stdout).deadLetters;
    expect(letter).toMatchObject({
      record: { key: 'slot-42' },
      stage: 'transform',
      errorCode: 'TRANSFORM_FILTER_EVAL',
      errorMessage: 'bad amount',
    });
    expect((await cli(folder.cwd, 'dlq', 'list')).stdout).toBe(
      `#1 count slot-42 (transform, 1 attempts, ${letter.at}): ` +
        'TRANSFORM_FILTER_EVAL bad amount\n',
    );
    const replay = await cli(folder.cwd, 'dlq', 'replay', 'count', '--json');
    expect(replay.code).toBe(1);
    expect(JSON.parse(replay.stdout).replays).toEqual([
      {
        pipeline: 'count',
        replayed: 0,
        failed: [{ id: 1, key: 'slot-42', error: 'bad amount' }],
      },
    ]);
  });
});
