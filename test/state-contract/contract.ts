import type {
  LeaseRow,
  PlannedChunk,
  StateBackend,
  StoreSession,
  StoreWrite,
} from '@backfill/plugin-kit';
import { afterEach, beforeEach, expect, it } from 'vitest';

import type { ContractBackend, ContractDatabase } from './backends.ts';

const T0 = '2026-03-01T00:00:00.000Z';
const T1 = '2026-03-01T00:01:00.000Z';
const T2 = '2026-03-01T00:02:00.000Z';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const slots = (start: number, end: number): PlannedChunk => ({
  id: `slots:${start}-${end}`,
  range: { kind: 'slot', start, end },
});

const lease = (holder: string, at = T0): LeaseRow => ({
  pipeline: 'p',
  holder,
  host: 'h',
  pid: 7,
  runId: `run-${holder}`,
  since: at,
  heartbeatAt: at,
});

/**
 * The StateBackend and StoreSession contract every store with
 * `capabilities.state` keeps. Call inside a describe; each test gets an
 * empty database of the backend.
 */
export function stateContract(backend: () => ContractBackend): void {
  let db: ContractDatabase;
  let session: StoreSession;
  let state: StateBackend;
  const sessions: StoreSession[] = [];
  const openMore = async () => {
    const more = await db.open();
    sessions.push(more);
    return more;
  };

  beforeEach(async () => {
    db = await backend().create();
    session = await openMore();
    state = session.state as StateBackend;
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
    await db.remove();
  });

  it('records a run and closes it with its outcome', async () => {
    await state.startRun({
      id: 'r1',
      pipeline: 'p',
      startedAt: T0,
      window: { kind: 'slot', start: 0, end: 99 },
      holder: 'h:7:r1',
    });
    await state.updateRun('r1', {
      recordsFetched: 5,
      recordsStored: 4,
      recordsDeadLettered: 1,
    });
    expect(await state.listRuns()).toEqual([
      {
        id: 'r1',
        pipeline: 'p',
        status: 'running',
        startedAt: T0,
        endedAt: null,
        window: { kind: 'slot', start: 0, end: 99 },
        holder: 'h:7:r1',
        recordsFetched: 5,
        recordsStored: 4,
        recordsDeadLettered: 1,
        error: null,
      },
    ]);

    await state.finishRun('r1', {
      status: 'failed',
      endedAt: T1,
      recordsFetched: 9,
      recordsStored: 8,
      recordsDeadLettered: 1,
      error: 'CHAIN_RPC_TIMEOUT: gave up',
    });
    expect(await state.listRuns()).toMatchObject([
      {
        status: 'failed',
        endedAt: T1,
        recordsFetched: 9,
        recordsStored: 8,
        error: 'CHAIN_RPC_TIMEOUT: gave up',
      },
    ]);
  });

  it('lists runs newest first, by pipeline, up to a limit', async () => {
    const window = { kind: 'time', from: T0, to: T2 } as const;
    const start = (id: string, pipeline: string, startedAt: string) =>
      state.startRun({ id, pipeline, startedAt, window, holder: id });
    await start('a', 'p', T0);
    await start('b', 'q', T1);
    await start('c', 'p', T2);
    await start('d', 'p', T2);

    const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
    expect(ids(await state.listRuns())).toEqual(['d', 'c', 'b', 'a']);
    expect(ids(await state.listRuns({ pipeline: 'p' }))).toEqual([
      'd',
      'c',
      'a',
    ]);
    expect(ids(await state.listRuns({ pipeline: 'p', limit: 2 }))).toEqual([
      'd',
      'c',
    ]);
  });

  it('plans chunks once and keeps the state of those it holds', async () => {
    const planned = await state.planChunks('p', [slots(0, 9), slots(10, 19)]);
    expect(planned).toEqual([
      {
        pipeline: 'p',
        id: 'slots:0-9',
        range: { kind: 'slot', start: 0, end: 9 },
        state: 'pending',
        attempts: 0,
        cursor: null,
        records: 0,
        progress: null,
        lastError: null,
        runId: null,
        updatedAt: expect.stringMatching(ISO),
      },
      expect.objectContaining({ id: 'slots:10-19', state: 'pending' }),
    ]);
    await state.markChunk('p', 'slots:0-9', {
      state: 'done',
      runId: 'r1',
      at: T1,
    });

    const again = await state.planChunks('p', [slots(20, 29), slots(0, 9)]);
    expect(again.map((c) => [c.id, c.state])).toEqual([
      ['slots:20-29', 'pending'],
      ['slots:0-9', 'done'],
    ]);
    expect(await state.planChunks('p', [])).toEqual([]);
  });

  it('lists chunks by range start: slot 1000 after slot 200', async () => {
    await state.planChunks('p', [slots(1000, 1999), slots(200, 999)]);
    await state.planChunks('q', [slots(0, 199)]);
    const time = (from: string, to: string): PlannedChunk => ({
      id: `time:${from}`,
      range: { kind: 'time', from, to },
    });
    await state.planChunks('t', [time(T1, T2), time(T0, T1)]);

    const ids = async (p: string) =>
      (await state.listChunks(p)).map((c) => c.id);
    expect(await ids('p')).toEqual(['slots:200-999', 'slots:1000-1999']);
    expect(await ids('t')).toEqual([`time:${T0}`, `time:${T1}`]);
    expect(await ids('none')).toEqual([]);
  });

  it('marks a chunk: attempts and error when given, reset on ask', async () => {
    await state.planChunks('p', [slots(0, 9)]);
    await state.commitCheckpoint({
      pipeline: 'p',
      runId: 'r1',
      chunkId: 'slots:0-9',
      cursor: { next: 5 },
      records: 5,
      progress: 0.5,
      at: T0,
    });
    await state.markChunk('p', 'slots:0-9', {
      state: 'failed',
      runId: 'r1',
      at: T1,
      attempts: 3,
      error: 'boom',
    });
    await state.markChunk('p', 'slots:0-9', {
      state: 'running',
      runId: 'r2',
      at: T2,
    });
    const [kept] = await state.listChunks('p');
    expect(kept).toMatchObject({
      state: 'running',
      runId: 'r2',
      attempts: 3,
      lastError: 'boom',
      cursor: { next: 5 },
      records: 5,
      progress: 0.5,
      updatedAt: T2,
    });

    await state.markChunk('p', 'slots:0-9', {
      state: 'pending',
      runId: 'r3',
      at: T2,
      error: null,
      reset: true,
    });
    const [reset] = await state.listChunks('p');
    expect(reset).toMatchObject({
      state: 'pending',
      attempts: 3,
      lastError: null,
      cursor: null,
      records: 0,
      progress: null,
    });
  });

  it('commits a checkpoint: cursor, records added, gaps kept', async () => {
    await state.planChunks('p', [slots(0, 9)]);
    const base = { pipeline: 'p', runId: 'r1', chunkId: 'slots:0-9' };
    await state.commitCheckpoint({
      ...base,
      cursor: { next: 4, seen: ['a', 'b'] },
      records: 4,
      progress: 0.4,
      gaps: [{ ref: 'sig-1', reason: 'null transaction' }],
      at: T0,
    });
    await state.commitCheckpoint({
      ...base,
      cursor: { next: 6 },
      records: 2,
      at: T1,
    });

    expect(await state.listChunks('p')).toMatchObject([
      { cursor: { next: 6 }, records: 6, progress: 0.4, updatedAt: T1 },
    ]);
    expect(await state.listGaps('p')).toEqual([
      {
        id: expect.any(Number),
        ...base,
        ref: 'sig-1',
        reason: 'null transaction',
        at: T0,
      },
    ]);
  });

  it('gives the lease to one holder until it is released', async () => {
    expect(await state.acquireLease(lease('a'))).toEqual({
      acquired: true,
      lease: lease('a'),
    });
    expect(await state.acquireLease(lease('b', T1))).toEqual({
      acquired: false,
      lease: lease('a'),
    });
    expect((await state.acquireLease(lease('a', T1))).acquired).toBe(true);

    await state.releaseLease('p', 'b');
    expect(await state.getLease('p')).toEqual(lease('a'));
    await state.releaseLease('p', 'a');
    expect(await state.getLease('p')).toBeNull();
    expect(await state.acquireLease(lease('b', T1))).toEqual({
      acquired: true,
      lease: lease('b', T1),
    });
  });

  it('takes a lease over only from the holder named', async () => {
    await state.acquireLease(lease('a'));
    expect(await state.acquireLease(lease('b', T1), 'x')).toEqual({
      acquired: false,
      lease: lease('a'),
    });
    expect(await state.acquireLease(lease('b', T1), 'a')).toEqual({
      acquired: true,
      lease: lease('b', T1),
    });

    expect(await state.heartbeatLease('p', 'a', T2)).toBe(false);
    expect(await state.heartbeatLease('p', 'b', T2)).toBe(true);
    expect(await state.getLease('p')).toEqual({
      ...lease('b', T1),
      heartbeatAt: T2,
    });
  });

  it('lets one of many concurrent acquirers win, across sessions', async () => {
    const others = await Promise.all([openMore(), openMore(), openMore()]);
    const states = [session, ...others].map((s) => s.state as StateBackend);
    const tries = states.flatMap((s, i) => [
      s.acquireLease(lease(`s${i}-1`)),
      s.acquireLease(lease(`s${i}-2`)),
    ]);
    const results = await Promise.all(tries);

    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const holder = winners[0]?.lease.holder;
    expect(results.map((r) => r.lease.holder)).toEqual(
      results.map(() => holder),
    );

    const takeovers = await Promise.all(
      states.map((s, i) => s.acquireLease(lease(`t${i}`), holder)),
    );
    expect(takeovers.filter((r) => r.acquired)).toHaveLength(1);
  });

  it('keeps dead letters in order until removed', async () => {
    const letter = (key: string, pipeline = 'p') => ({
      pipeline,
      runId: 'r1',
      chunkId: 'slots:0-9',
      collection: 'loans',
      stage: 'store' as const,
      record: { key, value: { amount: 12.5, tags: ['x'], nested: { a: 1 } } },
      errorCode: 'POSTGRES_QUERY',
      errorMessage: 'value too long',
      attempts: 4,
      at: T0,
    });
    await state.addDeadLetters([letter('k2'), letter('k1')]);
    await state.addDeadLetters([letter('k3', 'q')]);
    await state.addDeadLetters([]);

    const all = await state.listDeadLetters();
    expect(all.map((l) => l.record.key)).toEqual(['k2', 'k1', 'k3']);
    expect(all[0]).toEqual({ id: expect.any(Number), ...letter('k2') });
    const inP = await state.listDeadLetters('p');
    expect(inP.map((l) => l.record.key)).toEqual(['k2', 'k1']);

    await state.removeDeadLetter(inP[0]?.id as number);
    expect((await state.listDeadLetters()).map((l) => l.record.key)).toEqual([
      'k1',
      'k3',
    ]);
  });

  it('keeps gaps by pipeline, in the order added', async () => {
    const gap = (ref: string, pipeline = 'p') => ({
      pipeline,
      runId: 'r1',
      chunkId: 'slots:0-9',
      ref,
      reason: 'archive range unreadable',
      at: T1,
    });
    await state.addGaps([gap('g2'), gap('g1'), gap('g3', 'q')]);
    expect((await state.listGaps()).map((g) => g.ref)).toEqual([
      'g2',
      'g1',
      'g3',
    ]);
    expect(await state.listGaps('q')).toEqual([
      { id: expect.any(Number), ...gap('g3', 'q') },
    ]);
  });

  it('upserts on pipeline and key: the same batch twice, same rows', async () => {
    const batch: StoreWrite = {
      pipeline: 'p',
      collection: 'loans',
      records: [
        { key: 'b', value: { n: 1 } },
        { key: 'a', value: { n: 2, text: 'quote " and \\ and é' } },
        { key: 'b', value: { n: 3 } },
      ],
    };
    await session.write(batch);
    const once = await db.rows('loans');
    await session.write(batch);

    expect(await db.rows('loans')).toEqual(once);
    expect(once).toEqual([
      { key: 'a', pipeline: 'p', data: { n: 2, text: 'quote " and \\ and é' } },
      { key: 'b', pipeline: 'p', data: { n: 3 } },
    ]);
    await session.write({ ...batch, records: [{ key: 'a', value: {} }] });
    expect((await db.rows('loans'))[0]).toEqual({
      key: 'a',
      pipeline: 'p',
      data: {},
    });
  });

  it('keeps a row per pipeline when two write the same keys', async () => {
    const write = (pipeline: string, n: number) =>
      session.write({
        pipeline,
        collection: 'loans',
        records: [
          { key: 'a', value: { n } },
          { key: 'b', value: { n } },
        ],
      });
    await write('loans', 1);
    await write('offers', 2);
    await write('loans', 3);

    expect(await db.rows('loans')).toEqual([
      { key: 'a', pipeline: 'loans', data: { n: 3 } },
      { key: 'a', pipeline: 'offers', data: { n: 2 } },
      { key: 'b', pipeline: 'loans', data: { n: 3 } },
      { key: 'b', pipeline: 'offers', data: { n: 2 } },
    ]);
  });

  it('writes records and checkpoint together, or neither', async () => {
    await state.planChunks('p', [slots(0, 9)]);
    const checkpoint = {
      pipeline: 'p',
      runId: 'r1',
      chunkId: 'slots:0-9',
      cursor: { next: 2 },
      records: 2,
      at: T0,
    };
    const records = [
      { key: 'k0', value: { slot: 0 } },
      { key: 'k1', value: { slot: 1 } },
    ];
    await session.write({ pipeline: 'p', collection: 'loans', records: [] });

    // A gap without its ref breaks the last statement of the transaction.
    const broken = { ref: null as unknown as string, reason: 'x' };
    await expect(
      session.write({
        pipeline: 'p',
        collection: 'loans',
        records,
        checkpoint: { ...checkpoint, gaps: [broken] },
      }),
    ).rejects.toThrow();
    expect(await db.rows('loans')).toEqual([]);
    expect(await state.listChunks('p')).toMatchObject([
      { cursor: null, records: 0 },
    ]);

    await session.write({
      pipeline: 'p',
      collection: 'loans',
      records,
      checkpoint,
    });
    expect((await db.rows('loans')).map((r) => r.key)).toEqual(['k0', 'k1']);
    expect(await state.listChunks('p')).toMatchObject([
      { cursor: { next: 2 }, records: 2 },
    ]);
  });

  it('refuses a collection that cannot be a table', async () => {
    for (const collection of ['runs', 'loans; drop', '1st']) {
      await expect(
        session.write({ pipeline: 'p', collection, records: [] }),
      ).rejects.toMatchObject({
        code: expect.stringMatching(/^[A-Z]+_COLLECTION_NAME$/),
        errorClass: 'fatal',
      });
    }
  });
}
