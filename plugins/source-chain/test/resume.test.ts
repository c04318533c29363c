import { afterEach, describe, expect, it } from 'vitest';

import {
  generatedHistory,
  LEVERAGE,
  MARGINFI,
  type SolanaRpcServer,
  startSolanaRpcServer,
} from '../../../test/servers/solana-rpc/index.ts';
import { collect, sourceContext } from './context.ts';

let server: SolanaRpcServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const FIRST = 452_300_000;
const range = { kind: 'slot', start: FIRST + 100, end: FIRST + 699 } as const;

describe('chain source resume and gaps', () => {
  it('resumes after any cursor with no loss and no duplicate', async () => {
    server = await startSolanaRpcServer({
      history: generatedHistory({ slotCount: 1000 }),
    });
    const params = {
      programs: ['marginfi', 'leverage'],
      rpc_url: server.url,
      requests_per_second: 5000,
    };
    const whole = await collect(
      sourceContext(params, range, { batchSize: 7 }).ctx,
    );
    const all = whole.flatMap((b) => b.records.map((r) => r.key));
    expect(new Set(all).size).toBe(all.length);
    expect(all.some((k) => k.startsWith(LEVERAGE))).toBe(true);

    // Stop after every third batch and resume from its cursor.
    const resumed: string[] = [];
    let cursor = null;
    for (;;) {
      const { ctx } = sourceContext(params, range, { batchSize: 7, cursor });
      const part = await collect(ctx, 3);
      if (part.length === 0) break;
      resumed.push(...part.flatMap((b) => b.records.map((r) => r.key)));
      cursor = part[part.length - 1]?.cursor ?? null;
      if (part.length < 3) break;
    }
    expect(resumed).toEqual(all);
  });

  it('keeps a transaction the node will not give as a gap', async () => {
    const history = generatedHistory({ slotCount: 1000, nullEvery: 25 });
    server = await startSolanaRpcServer({ history });
    const params = {
      programs: ['marginfi'],
      rpc_url: server.url,
      requests_per_second: 5000,
    };
    const batches = await collect(sourceContext(params, range).ctx);
    const gaps = batches.flatMap((b) => b.gaps ?? []);
    const keys = batches.flatMap((b) => b.records.map((r) => r.key));
    const expected = [...history.activeSlots(MARGINFI, range.end)]
      .filter((slot) => slot >= range.start)
      .flatMap((slot) => history.slotSignatures(MARGINFI, slot));
    const missing = expected.filter((e) => !history.transaction(e.signature));
    expect(missing.length).toBeGreaterThan(0);
    expect(gaps.map((g) => g.ref)).toEqual(
      missing.map((e) => `${MARGINFI}:${e.signature}`),
    );
    expect(keys.length + gaps.length).toBe(expected.length);
    expect(gaps[0]?.reason).toBe(
      `getTransaction returned null 4 times (slot ${missing[0]?.slot})`,
    );
  });

  it('asks again for a transaction that is late, and gets it', async () => {
    const history = generatedHistory({ slotCount: 1000 });
    const [late] = history.slotSignatures(MARGINFI, range.end).length
      ? history.slotSignatures(MARGINFI, range.end)
      : [...history.activeSlots(MARGINFI, range.end)]
          .slice(0, 1)
          .flatMap((slot) => history.slotSignatures(MARGINFI, slot));
    const signature = late?.signature ?? '';
    server = await startSolanaRpcServer({
      history,
      lateTransactions: { [signature]: 2 },
    });
    const params = {
      programs: ['marginfi'],
      rpc_url: server.url,
      requests_per_second: 5000,
    };
    const batches = await collect(sourceContext(params, range).ctx);
    expect(batches.flatMap((b) => b.gaps ?? [])).toEqual([]);
    expect(batches[0]?.records[0]?.key).toBe(`${MARGINFI}:${signature}`);
  });

  it('leaves failed transactions out when include_failed is false', async () => {
    const history = generatedHistory({ slotCount: 1000 });
    server = await startSolanaRpcServer({ history });
    const params = {
      programs: ['marginfi'],
      rpc_url: server.url,
      requests_per_second: 5000,
    };
    const kept = await collect(sourceContext(params, range).ctx);
    const failed = kept
      .flatMap((b) => b.records)
      .filter((r) => r.value.err !== null);
    expect(failed.length).toBeGreaterThan(0);
    const without = await collect(
      sourceContext({ ...params, include_failed: false }, range).ctx,
    );
    const keys = without.flatMap((b) => b.records.map((r) => r.key));
    expect(keys).toEqual(
      kept
        .flatMap((b) => b.records)
        .filter((r) => r.value.err === null)
        .map((r) => r.key),
    );
  });
});
