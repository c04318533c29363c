import type { ChainHistory } from '../servers/solana-rpc/index.ts';

/** What the loopback node holds for some programs over a slot range. */
export interface ExpectedRows {
  /** `<program>:<signature>` of every transaction with a body. */
  keys: Set<string>;
  /** `<program>:<signature>` of those whose body the node lacks. */
  gaps: Set<string>;
  /** The `err` of each failed transaction with a body, by key. */
  failed: Map<string, unknown>;
}

/**
 * The rows a complete walk must store, read from the node's own ledger
 * (not from the source under test): every signature of each program in
 * [start, end], split by whether the node has its transaction.
 */
export function expectedRows(
  history: ChainHistory,
  programs: string[],
  start: number,
  end: number,
): ExpectedRows {
  const rows: ExpectedRows = {
    keys: new Set(),
    gaps: new Set(),
    failed: new Map(),
  };
  for (const program of programs) {
    for (const slot of history.activeSlots(program, end)) {
      if (slot < start) break;
      for (const entry of history.slotSignatures(program, slot)) {
        const key = `${program}:${entry.signature}`;
        if (!history.transaction(entry.signature)) {
          rows.gaps.add(key);
          continue;
        }
        rows.keys.add(key);
        if (entry.err !== null) rows.failed.set(key, entry.err);
      }
    }
  }
  return rows;
}
