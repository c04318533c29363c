import type { ChainHistory } from '../servers/solana-rpc/index.ts';

/**
 * The slots a time window covers on `history`, by the chain source's rule:
 * a slot belongs to the time of the first block with a time at or after it
 * (skipped slots and blocks without a time look ahead); [from, to) in
 * seconds. Read off the node's ledger, not from the source under test.
 */
export function slotsOfWindow(
  history: ChainHistory,
  from: number,
  to: number,
): { start: number; end: number } {
  let ahead = Number.POSITIVE_INFINITY;
  let end = history.lastSlot;
  let start = history.lastSlot + 1;
  for (let slot = history.lastSlot; slot >= history.firstSlot; slot--) {
    const block = history.block(slot);
    if (!block.skipped && block.blockTime !== null) ahead = block.blockTime;
    if (ahead >= to) end = slot - 1;
    if (ahead < from) break;
    start = slot;
  }
  return { start, end };
}
