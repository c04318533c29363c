import { readFileSync } from 'node:fs';

import type {
  ChainHistory,
  Json,
  SignatureEntry,
  TransactionResult,
} from './history.ts';

interface RecordedEntry {
  signature: string;
  slot: number;
  transactionIndex: number;
  programs: string[];
  blockTime?: number | null;
  err?: Json;
  result: TransactionResult | null;
}

// Two recorded blocks with known times anchor every other slot's time: the
// mainnet pace between them is about 0.39 s a slot.
const ANCHORS = [
  { slot: 328_883_613, time: 1_742_826_525 },
  { slot: 452_414_371, time: 1_790_891_715 },
] as const;

/** The block time a mainnet slot had (or would have had), in seconds. */
export function mainnetTimeOf(slot: number): number {
  const [a, b] = ANCHORS;
  const pace = (b.time - a.time) / (b.slot - a.slot);
  return Math.round(a.time + (slot - a.slot) * pace);
}

/** The newest mainnet slot whose block time is at or before `time` (s). */
export function mainnetSlotAt(time: number): number {
  const [a, b] = ANCHORS;
  const pace = (b.time - a.time) / (b.slot - a.slot);
  let slot = Math.floor(a.slot + (time - a.time) / pace);
  while (mainnetTimeOf(slot + 1) <= time) slot++;
  while (mainnetTimeOf(slot) > time) slot--;
  return slot;
}

export interface RecordedHistoryOptions {
  path?: URL | string;
  /**
   * Moves each recorded slot to another (the demo puts them inside its
   * last 24 hours). A moved transaction keeps its recorded body but for
   * `slot`, and `blockTime` (when recorded) becomes the new slot's time.
   */
  moveSlot?: (slot: number) => number;
}

/**
 * The recorded transactions of test/fixtures/solana/recorded.json. Slots
 * between them hold no transaction but have a block time, so that a time
 * window converts to slots anywhere in the range.
 */
export function recordedHistory(
  options: RecordedHistoryOptions = {},
): ChainHistory {
  const path =
    options.path ??
    new URL('../../fixtures/solana/recorded.json', import.meta.url);
  const read = JSON.parse(readFileSync(path, 'utf8')) as {
    entries: RecordedEntry[];
  };
  const move = options.moveSlot;
  const entries = move ? read.entries.map((e) => moved(e, move)) : read.entries;
  const bySignature = new Map(entries.map((e) => [e.signature, e]));
  const slots = [...new Set(entries.map((e) => e.slot))].sort((a, b) => b - a);
  const signatureOf = (e: RecordedEntry): SignatureEntry => ({
    signature: e.signature,
    slot: e.slot,
    err: e.err ?? (e.result?.meta as { err?: Json } | undefined)?.err ?? null,
    blockTime: e.blockTime ?? (e.result?.blockTime as number | null) ?? null,
    transactionIndex: e.transactionIndex,
  });

  return {
    firstSlot: Math.min(...slots),
    lastSlot: Math.max(...slots),
    block: (slot) => ({ skipped: false, blockTime: mainnetTimeOf(slot) }),
    // Only the recorded transactions: the rest of a block was not recorded.
    blockSignatures: (slot) =>
      entries
        .filter((e) => e.slot === slot)
        .sort((a, b) => a.transactionIndex - b.transactionIndex)
        .map((e) => e.signature),
    *activeSlots(address, fromSlot) {
      for (const slot of slots) {
        if (slot > fromSlot) continue;
        const here = entries.some(
          (e) => e.slot === slot && e.programs.includes(address),
        );
        if (here) yield slot;
      }
    },
    slotSignatures: (address, slot) =>
      entries
        .filter((e) => e.slot === slot && e.programs.includes(address))
        .map(signatureOf)
        .sort((a, b) => b.transactionIndex - a.transactionIndex),
    locate(signature) {
      const entry = bySignature.get(signature);
      return entry && signatureOf(entry);
    },
    transaction: (signature) => bySignature.get(signature)?.result ?? null,
    accounts: () => [],
  };
}

function moved(
  entry: RecordedEntry,
  moveSlot: (slot: number) => number,
): RecordedEntry {
  const slot = moveSlot(entry.slot);
  const time = (recorded: number | null | undefined) =>
    recorded === null || recorded === undefined
      ? recorded
      : mainnetTimeOf(slot);
  const result = entry.result && {
    ...entry.result,
    slot,
    blockTime: time(entry.result.blockTime as number | null) ?? null,
  };
  return { ...entry, slot, blockTime: time(entry.blockTime), result };
}
