import { afterEach, describe, expect, it } from 'vitest';

import {
  type ChainHistory,
  generatedHistory,
  LEVERAGE,
  MARGINFI,
  type SkippedSlotStyle,
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
const SLOTS = 40_000;
const TIP = FIRST + SLOTS - 1;
const history = generatedHistory({ slotCount: SLOTS });
const slots = (start: number, end: number) =>
  ({ kind: 'slot', start, end }) as const;

/** Keys of a program's transactions in [start, end], newest first. */
function keysIn(
  ledger: ChainHistory,
  program: string,
  start: number,
  end: number,
): string[] {
  return [...ledger.activeSlots(program, end)]
    .filter((slot) => slot >= start)
    .flatMap((slot) => ledger.slotSignatures(program, slot))
    .map((entry) => `${program}:${entry.signature}`);
}

/** The first slot above `end` whose block holds a transaction. */
function anchorSlot(end: number): number {
  let slot = end + 1;
  while (history.blockSignatures(slot).length === 0) slot++;
  return slot;
}

/** The first end slot at or after `from` holding marginfi transactions and
 * followed by the blocks `after` describes. */
function endBefore(from: number, after: Array<'skipped' | 'empty'>): number {
  const is = (slot: number, kind: 'skipped' | 'empty') =>
    kind === 'skipped'
      ? history.block(slot).skipped
      : !history.block(slot).skipped &&
        history.blockSignatures(slot).length === 0;
  for (let end = from; ; end++) {
    if (history.slotSignatures(MARGINFI, end).length === 0) continue;
    if (!after.every((kind, i) => is(end + 1 + i, kind))) continue;
    if (history.blockSignatures(end + 1 + after.length).length) return end;
  }
}

async function walk(
  programs: string[],
  start: number,
  end: number,
  options: {
    style?: SkippedSlotStyle;
    batchSize?: number;
    ledger?: ChainHistory;
  } = {},
) {
  server = await startSolanaRpcServer({
    history: options.ledger ?? history,
    skippedSlotStyle: options.style,
  });
  const params = { programs, rpc_url: server.url, requests_per_second: 1e5 };
  const { ctx } = sourceContext(params, slots(start, end), {
    batchSize: options.batchSize ?? 500,
  });
  const batches = await collect(ctx);
  const { byMethod } = server.stats;
  return {
    batches,
    keys: batches.flatMap((b) => b.records.map((r) => r.key)),
    pages: byMethod.getSignaturesForAddress ?? 0,
    blocks: byMethod.getBlock ?? 0,
    tips: byMethod.getSlot ?? 0,
  };
}

describe('a chunk far below the tip', () => {
  const start = FIRST + 1000;
  const end = FIRST + 2999;
  const own = keysIn(history, MARGINFI, start, end);

  it('pages from just above its end, not down from the tip', async () => {
    const newer = keysIn(history, MARGINFI, end + 1, TIP);
    expect(newer.length).toBe(24_749);
    expect(own.length).toBe(1276);

    const run = await walk(['marginfi'], start, end);

    expect(run.keys).toEqual(own);
    // Two pages: 1000 of the chunk, then its 276 others and the first
    // below it. Paging down from the tip took 27 (25 of newer history).
    expect(run.pages).toBe(2);
    expect(run.blocks).toBe(anchorSlot(end) - end);
    expect(run.tips).toBe(1);
  });

  it('finds one anchor for all of its programs', async () => {
    const run = await walk(['marginfi', 'leverage'], start, end);

    expect(run.keys).toEqual([
      ...own,
      ...keysIn(history, LEVERAGE, start, end),
    ]);
    expect(run.blocks).toBe(anchorSlot(end) - end);
    expect(run.tips).toBe(1);
  });
});

describe('the end slot of a chunk', () => {
  const start = FIRST + 5000;

  it.each([-32004, -32007, -32009, 'null'] as const)(
    'loses nothing when the next slot is skipped (%s)',
    async (style) => {
      const end = endBefore(start + 1000, ['skipped']);
      const run = await walk(['marginfi'], start, end, { style });

      expect(run.keys).toEqual(keysIn(history, MARGINFI, start, end));
      expect(run.keys.slice(0, 1)).toEqual(
        history
          .slotSignatures(MARGINFI, end)
          .slice(0, 1)
          .map((e) => `${MARGINFI}:${e.signature}`),
      );
      expect(run.blocks).toBe(2);
    },
  );

  it('loses nothing when the next block holds no transaction', async () => {
    const end = endBefore(start + 1000, ['empty']);
    const run = await walk(['marginfi'], start, end);

    expect(run.keys).toEqual(keysIn(history, MARGINFI, start, end));
    expect(run.blocks).toBe(2);
  });

  it('looks past a skipped slot and an empty block in a row', async () => {
    const end = endBefore(start + 1000, ['skipped', 'empty']);
    const run = await walk(['marginfi'], start, end);

    expect(run.keys).toEqual(keysIn(history, MARGINFI, start, end));
    expect(run.blocks).toBe(3);
  });
});

describe('an anchor the node cannot place', () => {
  it('is given up for the tip: nothing is lost', async () => {
    const start = FIRST + 30_000;
    const end = FIRST + 31_999;
    const anchor = history.blockSignatures(anchorSlot(end))[0];
    // As a node whose index lacks the anchor: an empty page for it.
    const ledger: ChainHistory = {
      ...history,
      locate: (signature) =>
        signature === anchor ? undefined : history.locate(signature),
    };
    const run = await walk(['marginfi'], start, end, { ledger });

    const own = keysIn(history, MARGINFI, start, end);
    const newer = keysIn(history, MARGINFI, end + 1, TIP);
    expect(run.keys).toEqual(own);
    expect([newer.length, own.length]).toEqual([5362, 1362]);
    // The empty page from the anchor, then 7 from the tip down through
    // the 6,724 newer and own signatures to the first below the chunk.
    expect(run.pages).toBe(8);
  });
});

describe('a chunk at the tip', () => {
  it.each([
    ['ending at it', TIP],
    ['ending above it', TIP + 500],
  ])('pages from the tip, %s, with no getBlock', async (_, end) => {
    const start = TIP - 1999;
    const run = await walk(['marginfi'], start, end);

    expect(run.keys).toEqual(keysIn(history, MARGINFI, start, TIP));
    expect(run.blocks).toBe(0);
    expect(run.tips).toBe(1);
  });
});

describe('a resumed chunk', () => {
  it('pages from its cursor, with no new anchor', async () => {
    const start = FIRST + 1000;
    const end = FIRST + 2999;
    const first = await walk(['marginfi'], start, end, { batchSize: 300 });
    const cursor = first.batches[1]?.cursor ?? null;
    await server?.close();

    server = await startSolanaRpcServer({ history });
    const params = {
      programs: ['marginfi'],
      rpc_url: server.url,
      requests_per_second: 1e5,
    };
    const { ctx } = sourceContext(params, slots(start, end), {
      batchSize: 300,
      cursor,
    });
    const rest = (await collect(ctx)).flatMap((b) =>
      b.records.map((r) => r.key),
    );

    expect(rest).toEqual(first.keys.slice(600));
    expect(server.stats.byMethod.getBlock).toBeUndefined();
    expect(server.stats.byMethod.getSlot).toBeUndefined();
  });
});
