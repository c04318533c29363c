/**
 * The part of a pipeline's window one chunk covers.
 * - `time`: half-open `[from, to)`, ISO-8601 UTC strings.
 * - `slot`: inclusive `[start, end]` (Solana slots, block numbers).
 */
export type ChunkRange =
  | { kind: 'time'; from: string; to: string }
  | { kind: 'slot'; start: number; end: number };

/** One unit of planned work: the ledger keeps its state and cursor. */
export interface Chunk {
  /** Stable within a pipeline: the same window plans the same ids. */
  id: string;
  range: ChunkRange;
}
