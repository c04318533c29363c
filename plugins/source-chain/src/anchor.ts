import type { ChainRpc } from './rpc.ts';
import { isNoBlock } from './slots.ts';

/**
 * Blocks looked at past a chunk's end for one with a transaction: skipped
 * slots come in runs of a leader's few slots, empty blocks hardly at all.
 * Past it the walk pages from the tip, slower but as complete.
 */
export const MAX_ANCHOR_PROBES = 32;

/** Where a chunk's signature walk starts, above its end slot. */
export interface WalkAnchor {
  /** A transaction of the first block after the end with one. */
  signature: string;
  slot: number;
}

interface SignaturesBlock {
  signatures?: string[];
}

/**
 * A signature to page a chunk's history from, so that the walk skips the
 * newer history of its programs (one request per 1000 signatures of each
 * program, for an old chunk thousands) instead of paging down from the
 * tip. A node takes any transaction as `before`, whether or not it
 * involves the address, and answers what is older than it: a transaction
 * of a later slot than `end` leaves every signature of `end` below it.
 * Null when `end` is at or above the tip, or no block with a transaction
 * follows it closely: the walk then pages from the tip, as before.
 */
export async function anchorAbove(
  rpc: ChainRpc,
  end: number,
  commitment: string,
): Promise<WalkAnchor | null> {
  const tip = await rpc.call<number>('getSlot', [{ commitment }]);
  const last = Math.min(tip, end + MAX_ANCHOR_PROBES);
  for (let slot = end + 1; slot <= last; slot++) {
    const block = await signaturesOf(rpc, slot, commitment);
    // Any of the block's signatures would do: what the first page holds
    // of the anchor's own slot is above the range, and the walk drops it.
    const first = block?.signatures?.[0];
    if (first) return { signature: first, slot };
  }
  return null;
}

// ---------------------------------------------------------------------------

async function signaturesOf(
  rpc: ChainRpc,
  slot: number,
  commitment: string,
): Promise<SignaturesBlock | null> {
  try {
    return await rpc.call<SignaturesBlock | null>('getBlock', [
      slot,
      {
        commitment,
        encoding: 'json',
        transactionDetails: 'signatures',
        rewards: false,
        maxSupportedTransactionVersion: 1,
      },
    ]);
  } catch (error) {
    if (isNoBlock(error)) return null;
    throw error;
  }
}
