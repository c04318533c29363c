import type { ChunkRange } from '@backfill/plugin-kit';
import { PluginError } from '@backfill/plugin-kit';

import type { ChainRpc } from './rpc.ts';

/** An inclusive slot range. */
export interface SlotRange {
  start: number;
  end: number;
}

// Codes nodes give for a slot without a block: -32004 block not available,
// -32007 skipped (ledger jump), -32009 skipped (long-term storage).
const NO_BLOCK = new Set([-32004, -32007, -32009]);
/** Whether a node's error says the slot holds no block (or not yet). */
export function isNoBlock(error: unknown): boolean {
  const code = (error as { details?: { rpcCode?: number } }).details?.rpcCode;
  return code !== undefined && NO_BLOCK.has(code);
}

/** Slots probed past a skipped one before giving up on a time. */
const MAX_PROBES = 200;
/** Block times remembered per endpoint before the memory starts over. */
const MAX_REMEMBERED = 100_000;

/**
 * Block times by endpoint, shared by the chunks of a process: a block's
 * time never changes, and the binary searches of a run's chunks (one an
 * hour of window) probe the same slots near the top, so each is asked for
 * once instead of once a chunk.
 */
const REMEMBERED = new Map<string, Map<number, number>>();

function rememberedTimes(endpoint: string): Map<number, number> {
  let times = REMEMBERED.get(endpoint);
  if (!times || times.size > MAX_REMEMBERED) {
    times = new Map();
    REMEMBERED.set(endpoint, times);
  }
  return times;
}

/** The slots a chunk covers: as given, or a time window converted. */
export async function slotRangeOf(
  rpc: ChainRpc,
  endpoint: string,
  range: ChunkRange,
  commitment: string,
): Promise<SlotRange> {
  if (range.kind === 'slot') return { start: range.start, end: range.end };
  const from = Date.parse(range.from) / 1000;
  const to = Date.parse(range.to) / 1000;
  const first = await rpc.call<number>('getFirstAvailableBlock', []);
  const tip = await rpc.call<number>('getSlot', [{ commitment }]);
  // The first available block is part of the key: a node whose ledger
  // changed (or another node on a reused port) starts a memory of its own.
  const known = rememberedTimes(`${endpoint} ${first}`);
  const probe = new BlockTimes(rpc, tip, known);
  const start = await probe.firstSlotAtOrAfter(from, first);
  const end = (await probe.firstSlotAtOrAfter(to, start)) - 1;
  return { start, end };
}

// ---------------------------------------------------------------------------

/**
 * Block times as a monotone function of slot: the time of the first block
 * at or after a slot (skipped slots and blocks without a time look ahead),
 * infinite past the tip. Binary search over it is then plain.
 */
class BlockTimes {
  constructor(
    readonly rpc: ChainRpc,
    readonly tip: number,
    readonly known: Map<number, number>,
  ) {}

  /** The smallest slot in [low, tip + 1] whose time is at or after t. */
  async firstSlotAtOrAfter(t: number, low: number): Promise<number> {
    let lo = low;
    let hi = this.tip + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await this.timeFrom(mid)) >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  async timeFrom(slot: number): Promise<number> {
    for (let s = slot, n = 0; s <= this.tip; s++, n++) {
      if (n === MAX_PROBES) {
        throw new PluginError(
          `no block time within ${MAX_PROBES} slots after ${slot}`,
          { code: 'CHAIN_BLOCK_TIME_UNAVAILABLE', errorClass: 'retriable' },
        );
      }
      const known = this.known.get(s);
      if (known !== undefined) return known;
      const time = await this.#blockTime(s);
      if (time !== null) {
        this.known.set(s, time);
        return time;
      }
    }
    return Number.POSITIVE_INFINITY;
  }

  async #blockTime(slot: number): Promise<number | null> {
    try {
      return await this.rpc.call<number | null>('getBlockTime', [slot]);
    } catch (error) {
      if (isNoBlock(error)) return null;
      throw error;
    }
  }
}
