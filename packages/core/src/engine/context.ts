import type {
  Logger,
  RecordTransform,
  SourceDefinition,
  StateBackend,
  StoreSession,
} from '@backfill/plugin-kit';

import type { PipelineSpec } from '../model/pipeline.ts';
import type { Clock } from '../retry/clock.ts';
import type { RetryOptions } from '../retry/policy.ts';
import type { Hooks } from './hooks.ts';
import type { EngineCounts, TransformTally } from './tally.ts';

/** Everything the chunks of one run share. */
export interface RunContext {
  spec: PipelineSpec;
  runId: string;
  hooks: Hooks;
  logger: Logger;
  state: StateBackend;
  session: StoreSession;
  /** The store commits the checkpoint inside its write. */
  atomic: boolean;
  source: SourceDefinition;
  transforms: RecordTransform[];
  collection: string;
  clock: Clock;
  retry: Omit<RetryOptions, 'maxRetries'>;
  /** Aborts everything now: timeout, lost lease, stop deadline passed. */
  abort: AbortSignal;
  /** Graceful stop: no new fetch; the batch in flight may finish. */
  stop: AbortSignal;
  counts: EngineCounts;
  /** What each transform received and dropped, in delivered batches. */
  tally: TransformTally;
  /** Gaps the source reported in stored batches of this run. */
  gaps: number;
  /** Records still allowed by `--limit`; Infinity without it. */
  remaining: number;
  stallMs: number;
  settings: Record<string, unknown>;
}

/** True when the run must not start another fetch. */
export function halted(run: RunContext): boolean {
  return run.abort.aborted || run.stop.aborted || run.remaining <= 0;
}
