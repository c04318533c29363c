import type { ChunkRange, ChunkRow, RunRow } from '@backfill/plugin-kit';

/** How far one run has come, from its row and the ledger's chunks. */
export interface RunProgress {
  id: string;
  pipeline: string;
  status: RunRow['status'];
  /**
   * A `running` run whose lease no longer names it: its process died.
   * The next run of the pipeline takes the chunks over.
   */
  stale: boolean;
  startedAt: string;
  endedAt: string | null;
  window: ChunkRange;
  /** Ledger chunks inside the run's window, by their state now. */
  chunks: {
    total: number;
    pending: number;
    running: number;
    done: number;
    failed: number;
  };
  /** Share of the window done, weighted by range length: 0 to 1. */
  fraction: number;
  recordsFetched: number;
  recordsStored: number;
  recordsDeadLettered: number;
  /** Records fetched per second over the run so far. */
  ratePerSecond: number | null;
  /** Seconds left at this run's pace; null when not running or unknown. */
  etaSeconds: number | null;
  /** Gaps (records a source could not get) this run recorded. */
  gaps: number;
  /** Records of this run in the dead-letter table now. */
  deadLetters: number;
  error: string | null;
}

export interface ProgressInput {
  run: RunRow;
  /** Every chunk of the run's pipeline. */
  chunks: ChunkRow[];
  gaps: number;
  deadLetters: number;
  stale: boolean;
  now: number;
}

/** The progress of one run; pure, so that it is tested on plain rows. */
export function runProgress(input: ProgressInput): RunProgress {
  const { run } = input;
  const inWindow = input.chunks.filter((c) => within(c.range, run.window));
  const byState = { pending: 0, running: 0, done: 0, failed: 0 };
  for (const chunk of inWindow) byState[chunk.state]++;

  const end = run.endedAt ? Date.parse(run.endedAt) : input.now;
  const elapsed = Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
  const active = run.status === 'running' && !input.stale;

  return {
    id: run.id,
    pipeline: run.pipeline,
    status: run.status,
    stale: input.stale,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    window: run.window,
    chunks: { total: inWindow.length, ...byState },
    fraction: round(fractionDone(inWindow)),
    recordsFetched: run.recordsFetched,
    recordsStored: run.recordsStored,
    recordsDeadLettered: run.recordsDeadLettered,
    ratePerSecond: elapsed > 0 ? round(run.recordsFetched / elapsed) : null,
    etaSeconds: active ? eta(inWindow, run.id, elapsed) : null,
    gaps: input.gaps,
    deadLetters: input.deadLetters,
    error: run.error,
  };
}

// ---------------------------------------------------------------------------

/** Done share of the chunks, each weighted by the length of its range. */
function fractionDone(chunks: ChunkRow[]): number {
  let total = 0;
  let done = 0;
  for (const chunk of chunks) {
    const weight = lengthOf(chunk.range);
    total += weight;
    done += weight * doneShare(chunk);
  }
  return total === 0 ? 0 : done / total;
}

/**
 * Time left, from this run's own pace: chunks an earlier run finished
 * count neither as work done nor as work left, else a resumed run would
 * look faster than it is.
 */
function eta(chunks: ChunkRow[], runId: string, elapsed: number) {
  const own = chunks.filter((c) => !(c.state === 'done' && c.runId !== runId));
  const share = fractionDone(own);
  if (share <= 0 || elapsed <= 0) return null;
  return Math.round((elapsed * (1 - share)) / share);
}

function doneShare(chunk: ChunkRow): number {
  if (chunk.state === 'done') return 1;
  return Math.min(1, Math.max(0, chunk.progress ?? 0));
}

function lengthOf(range: ChunkRange): number {
  if (range.kind === 'slot') return range.end - range.start + 1;
  return Math.max(1, Date.parse(range.to) - Date.parse(range.from));
}

/** True when `inner` lies inside `outer` (both of the same kind). */
function within(inner: ChunkRange, outer: ChunkRange): boolean {
  if (inner.kind === 'slot' && outer.kind === 'slot') {
    return inner.start >= outer.start && inner.end <= outer.end;
  }
  if (inner.kind === 'time' && outer.kind === 'time') {
    return (
      Date.parse(inner.from) >= Date.parse(outer.from) &&
      Date.parse(inner.to) <= Date.parse(outer.to)
    );
  }
  return false;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
