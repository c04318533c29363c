import type { ChunkRange } from '@backfill/plugin-kit';

import type { ChunkOutcome } from './chunk.ts';
import type { RunContext } from './context.ts';
import { codeOf, messageOf } from './errors.ts';
import type { EngineCounts } from './tally.ts';

/** The one document `backfill run --json` prints per pipeline. */
export interface RunSummary extends EngineCounts {
  pipeline: string;
  runId: string;
  status: 'succeeded' | 'failed' | 'interrupted' | 'timed_out';
  window: ChunkRange;
  chunks: {
    planned: number;
    done: number;
    failed: number;
    pending: number;
    /** Done by an earlier run: not run again. */
    skipped: number;
  };
  /**
   * Parts the source could not fetch and recorded instead of dropping
   * (null transactions, say); `backfill status` lists them.
   */
  gaps: number;
  /** True when `--limit` stopped the run early. */
  limited: boolean;
  startedAt: string;
  endedAt: string;
  error?: { code: string; message: string };
}

export interface SummaryInput {
  run: RunContext;
  window: ChunkRange;
  planned: number;
  outcomes: ChunkOutcome[];
  startedAt: number;
  endedAt: number;
  abortReason: unknown;
  stopped: boolean;
}

/** The run's outcome from its chunks' outcomes and why it ended. */
export function summarize(input: SummaryInput): RunSummary {
  const count = (state: ChunkOutcome['state']) =>
    input.outcomes.filter((o) => o.state === state).length;
  const chunks = {
    planned: input.planned,
    done: count('done'),
    failed: count('failed'),
    pending: count('pending'),
    skipped: input.planned - input.outcomes.length,
  };
  const firstFailure = input.outcomes.find((o) => o.error)?.error;
  const reason = input.abortReason;
  const timedOut = reason !== undefined && codeOf(reason) === 'ENGINE_TIMEOUT';

  let status: RunSummary['status'] = 'succeeded';
  let error: RunSummary['error'];
  if (timedOut) status = 'timed_out';
  else if (input.stopped) status = 'interrupted';
  else if (reason !== undefined || chunks.failed > 0) status = 'failed';
  if (reason !== undefined) {
    error = { code: codeOf(reason), message: messageOf(reason) };
  } else if (firstFailure) {
    error = firstFailure;
  }

  return {
    pipeline: input.run.spec.name,
    runId: input.run.runId,
    status,
    window: input.window,
    chunks,
    gaps: input.run.gaps,
    limited: input.run.remaining <= 0 && chunks.pending > 0,
    ...input.run.counts,
    startedAt: new Date(input.startedAt).toISOString(),
    endedAt: new Date(input.endedAt).toISOString(),
    ...(error ? { error } : {}),
  };
}
