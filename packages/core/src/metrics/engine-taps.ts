import type {
  ChunkState,
  EngineHooks,
  MetricEvent,
} from '@backfill/plugin-kit';

import { errorClass, statusClass } from './labels.ts';
import type { BackfillMetrics } from './registry.ts';

/** The name our taps carry on the engine's hooks. */
export const METRICS_TAP = 'backfill:metrics';

export interface MetricsTapOptions {
  /** The source plugin a pipeline uses (`chain`): a label value. */
  sourceOf(pipeline: string): string;
  /** Milliseconds since the epoch; a fake clock in tests. */
  now?: () => number;
}

/**
 * Feeds the metrics from one engine's hooks: counters from its `metrics`
 * events, runs and their durations from the lifecycle hooks.
 */
export function tapMetrics(
  hooks: EngineHooks,
  metrics: BackfillMetrics,
  options: MetricsTapOptions,
): void {
  const now = options.now ?? Date.now;
  const startedAt = new Map<string, number>();

  hooks.metrics.tap(METRICS_TAP, (event) =>
    count(metrics, event, options.sourceOf),
  );
  hooks.lifecycle.runStart.tap(METRICS_TAP, (run) => {
    startedAt.set(run.runId, now());
  });
  hooks.lifecycle.runEnd.tap(METRICS_TAP, (run) => {
    const end = now();
    const start = startedAt.get(run.runId) ?? end;
    startedAt.delete(run.runId);
    const pipeline = run.pipeline;
    metrics.runs.inc({ pipeline, outcome: run.status });
    metrics.runDuration.observe({ pipeline }, (end - start) / 1000);
    if (run.status === 'succeeded') {
      metrics.lastSuccess.set({ pipeline }, Math.floor(end / 1000));
    }
  });
}

/** Sets `backfill_chunks` of a pipeline from the ledger's counts. */
export function setChunkCounts(
  metrics: BackfillMetrics,
  pipeline: string,
  counts: Record<ChunkState, number>,
): void {
  for (const [state, value] of Object.entries(counts)) {
    metrics.chunks.set({ pipeline, state }, value);
  }
}

// ---------------------------------------------------------------------------

function count(
  metrics: BackfillMetrics,
  event: MetricEvent,
  sourceOf: (pipeline: string) => string,
): void {
  const { pipeline } = event.labels;
  switch (event.name) {
    case 'records_fetched':
      metrics.recordsFetched.inc(
        { pipeline, source: sourceOf(pipeline) },
        event.value,
      );
      return;
    case 'records_stored':
      metrics.recordsStored.inc({ pipeline }, event.value);
      return;
    case 'records_dead_lettered':
      metrics.recordsDeadLettered.inc({ pipeline }, event.value);
      return;
    case 'retries':
      metrics.retries.inc(
        { pipeline, class: errorClass(event.labels.class) },
        event.value,
      );
      return;
    case 'chunks':
      // A transition ("a chunk entered done"), not a count by state: the
      // gauge is read from the ledger instead (setChunkCounts).
      return;
    case 'source_requests':
      metrics.sourceRequests.inc(
        {
          source: sourceOf(pipeline),
          status_class: statusClass(event.labels.status),
        },
        event.value,
      );
      return;
  }
}
