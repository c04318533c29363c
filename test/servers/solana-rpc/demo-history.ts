import { readFileSync } from 'node:fs';

import { generatedHistory } from '../../fixtures/solana/generate.ts';
import { type ChainHistory, mergeHistories } from './history.ts';
import { mainnetSlotAt, recordedHistory } from './recorded.ts';

/** Slots of the demo ledger: a little over a day at mainnet pace. */
export const DEMO_SLOTS = 240_000;
/** One slot in this many holds marginfi/Lavarage activity (~2,300 a day). */
const ACTIVE_EVERY = 100;
/** Where the recorded slots go: this far below the tip, then every step. */
const RECORDED_FROM = 200_000;
const RECORDED_STEP = 20_000;

/** The tip of a demo ledger anchored at `now`: its block time is now. */
export function demoTipSlot(now = Date.now()): number {
  return mainnetSlotAt(Math.floor(now / 1000));
}

/**
 * The ledger of `pnpm demo`, ending at `tipSlot` (see demoTipSlot), so
 * that a pipeline's `last: 24h` finds blocks: generated marginfi and
 * Lavarage V1 activity over the last DEMO_SLOTS slots, and the recorded
 * transactions moved into the last day, in their recorded order, with
 * their real bodies (only `slot` and `blockTime` rewritten).
 */
export function demoHistory(tipSlot: number): ChainHistory {
  const recorded = recordedSlots();
  const moveSlot = (slot: number) =>
    tipSlot - RECORDED_FROM + recorded.indexOf(slot) * RECORDED_STEP;
  return mergeHistories([
    generatedHistory({
      firstSlot: tipSlot - DEMO_SLOTS + 1,
      slotCount: DEMO_SLOTS,
      activeEvery: ACTIVE_EVERY,
    }),
    recordedHistory({ moveSlot }),
  ]);
}

/** The distinct slots of recorded.json, oldest first. */
function recordedSlots(): number[] {
  const file = new URL('../../fixtures/solana/recorded.json', import.meta.url);
  const { entries } = JSON.parse(readFileSync(file, 'utf8')) as {
    entries: Array<{ slot: number }>;
  };
  return [...new Set(entries.map((e) => e.slot))].sort((a, b) => a - b);
}
