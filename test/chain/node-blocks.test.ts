// The loopback Solana node's getBlock and its `before`/`until` bounds, as
// a real node has them: a bound is any transaction of the ledger, placed
// by its slot and its position in its block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  generatedHistory,
  MARGINFI,
  type SolanaRpcServer,
  startSolanaRpcServer,
} from '../servers/solana-rpc/index.ts';

const FIRST = 452_300_000;
const history = generatedHistory({ slotCount: 2000 });
let server: SolanaRpcServer;
beforeAll(async () => {
  server = await startSolanaRpcServer({ history, skippedSlotStyle: -32009 });
});
afterAll(() => server.close());

async function rpc(method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const reply = (await response.json()) as {
    result?: unknown;
    error?: unknown;
  };
  return reply.error ?? reply.result;
}

const SIGNATURES_ONLY = {
  encoding: 'json',
  transactionDetails: 'signatures',
  rewards: false,
  maxSupportedTransactionVersion: 1,
  commitment: 'finalized',
};

/** A slot whose block holds marginfi transactions and then a vote. */
function votedSlot(): { slot: number; vote: string } {
  for (let slot = FIRST + 100; ; slot++) {
    const block = history.blockSignatures(slot);
    const own = history.slotSignatures(MARGINFI, slot);
    const vote = block[block.length - 1];
    if (own.length > 0 && vote && !own.some((e) => e.signature === vote)) {
      return { slot, vote };
    }
  }
}

const slotsOf = (rows: unknown) =>
  (rows as Array<{ slot: number }>).map((row) => row.slot);

describe('the loopback node', () => {
  it('answers getBlock with the signatures of the block, votes too', async () => {
    const { slot, vote } = votedSlot();
    const block = (await rpc('getBlock', [slot, SIGNATURES_ONLY])) as {
      signatures: string[];
      parentSlot: number;
      blockTime: number | null;
    };
    const own = history
      .slotSignatures(MARGINFI, slot)
      .map((entry) => entry.signature)
      .reverse();

    expect(block.signatures.slice(0, own.length)).toEqual(own);
    expect(block.signatures[block.signatures.length - 1]).toBe(vote);
    expect(block.parentSlot).toBeLessThan(slot);
    expect(block).not.toHaveProperty('transactions');
    expect(block).not.toHaveProperty('rewards');
  });

  it('answers getBlock for a skipped slot and past the tip with errors', async () => {
    let skipped = FIRST;
    while (!history.block(skipped).skipped) skipped++;

    expect(await rpc('getBlock', [skipped, SIGNATURES_ONLY])).toEqual({
      code: -32009,
      message: `Slot ${skipped} was skipped, or missing in long-term storage`,
    });
    expect(await rpc('getBlock', [FIRST + 2000, SIGNATURES_ONLY])).toEqual({
      code: -32004,
      message: `Block not available for slot ${FIRST + 2000}`,
    });
  });

  it('pages below a signature that does not involve the address', async () => {
    const { slot, vote } = votedSlot();
    const rows = await rpc('getSignaturesForAddress', [
      MARGINFI,
      { limit: 5, before: vote },
    ]);
    // The vote is last in its block: the slot's marginfi transactions
    // come before it, so they are older and listed first.
    const expected = [...history.activeSlots(MARGINFI, slot)]
      .flatMap((s) => history.slotSignatures(MARGINFI, s))
      .slice(0, 5)
      .map((entry) => entry.slot);
    expect(slotsOf(rows)).toEqual(expected);
    expect(slotsOf(rows)[0]).toBe(slot);
  });

  it('lists what lies between two bounds foreign to the address', async () => {
    const { slot, vote } = votedSlot();
    let above = slot + 40;
    while (history.blockSignatures(above).length === 0) above++;
    const rows = await rpc('getSignaturesForAddress', [
      MARGINFI,
      { before: history.blockSignatures(above)[0], until: vote },
    ]);

    // Nothing of the slot of `until` (all of it comes before the vote),
    // nothing of the slot of `before` (it is the first of its block).
    const expected = [...history.activeSlots(MARGINFI, above)]
      .filter((s) => s > slot && s < above)
      .flatMap((s) => history.slotSignatures(MARGINFI, s))
      .map((entry) => entry.slot);
    expect(expected.length).toBeGreaterThan(10);
    expect(slotsOf(rows)).toEqual(expected);
  });
});
