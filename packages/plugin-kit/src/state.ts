import type { Json } from './json.ts';
import type { ChunkRange } from './range.ts';
import type { Gap, SourceRecord } from './source.ts';
import type { Checkpoint } from './store.ts';

/**
 * The ledger a store with `capabilities.state` provides: runs, chunks,
 * leases, dead letters and gaps. The engine is its only writer; status and
 * the scheduler read it. Every method may be called from one process at a
 * time per pipeline (the lease sees to that), except the lease methods,
 * which must be atomic across processes.
 */
export interface StateBackend {
  // Runs ---------------------------------------------------------------
  /** Records a run that starts now. */
  startRun(run: RunStart): Promise<void>;
  /** Overwrites the run's counters (called after each batch and at end). */
  updateRun(runId: string, counts: RunCounts): Promise<void>;
  /** Closes a run with its outcome. */
  finishRun(runId: string, end: RunEnd): Promise<void>;
  /** Runs, newest first. */
  listRuns(query?: { pipeline?: string; limit?: number }): Promise<RunRow[]>;

  // Chunks (the ledger) -------------------------------------------------
  /**
   * Inserts the chunks the ledger does not hold yet (state `pending`) and
   * returns the ledger rows of all of them, in the order given.
   */
  planChunks(pipeline: string, chunks: PlannedChunk[]): Promise<ChunkRow[]>;
  /** Every chunk of a pipeline, oldest range first. */
  listChunks(pipeline: string): Promise<ChunkRow[]>;
  /** Changes a chunk's state; `attempts` and `error` when given. */
  markChunk(pipeline: string, chunkId: string, mark: ChunkMark): Promise<void>;
  /**
   * Advances a chunk's cursor after its store acknowledged a batch (stores
   * with `atomicCheckpoint` do the same inside their write instead).
   */
  commitCheckpoint(checkpoint: Checkpoint): Promise<void>;

  // Leases ---------------------------------------------------------------
  /**
   * Takes the pipeline's lease when nobody holds it, or when its holder is
   * exactly `takeOverFrom` (compare and swap). Returns the lease in force
   * afterwards: ours when `holder` equals ours.
   */
  acquireLease(
    lease: LeaseRow,
    takeOverFrom?: string,
  ): Promise<{ acquired: boolean; lease: LeaseRow }>;
  /** Refreshes `heartbeatAt` of our lease; false when we lost it. */
  heartbeatLease(
    pipeline: string,
    holder: string,
    at: string,
  ): Promise<boolean>;
  /** Drops our lease; a no-op when another holder has it. */
  releaseLease(pipeline: string, holder: string): Promise<void>;
  getLease(pipeline: string): Promise<LeaseRow | null>;

  // Dead letters and gaps ----------------------------------------------
  addDeadLetters(letters: DeadLetterInput[]): Promise<void>;
  listDeadLetters(pipeline?: string): Promise<DeadLetterRow[]>;
  removeDeadLetter(id: number): Promise<void>;
  addGaps(gaps: GapInput[]): Promise<void>;
  listGaps(pipeline?: string): Promise<GapRow[]>;
}

export type RunStatus =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'interrupted'
  | 'timed_out';

export interface RunCounts {
  recordsFetched: number;
  recordsStored: number;
  recordsDeadLettered: number;
}

export interface RunStart {
  id: string;
  pipeline: string;
  startedAt: string;
  /** The window the run covers, as planned. */
  window: ChunkRange;
  holder: string;
}

export interface RunEnd extends RunCounts {
  status: Exclude<RunStatus, 'running'>;
  endedAt: string;
  error?: string;
}

export interface RunRow extends RunCounts {
  id: string;
  pipeline: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  window: ChunkRange;
  holder: string;
  error: string | null;
}

export type ChunkState = 'pending' | 'running' | 'done' | 'failed';

export interface PlannedChunk {
  id: string;
  range: ChunkRange;
}

export interface ChunkRow extends PlannedChunk {
  pipeline: string;
  state: ChunkState;
  attempts: number;
  /** The last committed cursor, null before the first batch. */
  cursor: Json | null;
  /** Records stored for this chunk over all runs. */
  records: number;
  /** 0 to 1 when the source reports it. */
  progress: number | null;
  lastError: string | null;
  runId: string | null;
  updatedAt: string;
}

export interface ChunkMark {
  state: ChunkState;
  runId: string;
  at: string;
  attempts?: number;
  error?: string | null;
  /** Resets cursor, records and progress (`--reprocess`). */
  reset?: boolean;
}

export interface LeaseRow {
  pipeline: string;
  /** `host:pid:runId`: unique per run. */
  holder: string;
  host: string;
  pid: number;
  runId: string;
  since: string;
  heartbeatAt: string;
}

export interface DeadLetterInput {
  pipeline: string;
  runId: string;
  chunkId: string;
  /** The store collection the record was bound for. */
  collection: string;
  stage: 'transform' | 'store';
  /** The record as the source emitted it (replay re-transforms it). */
  record: SourceRecord;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  at: string;
}

export interface DeadLetterRow extends DeadLetterInput {
  id: number;
}

export interface GapInput extends Gap {
  pipeline: string;
  runId: string;
  chunkId: string;
  at: string;
}

export interface GapRow extends GapInput {
  id: number;
}
