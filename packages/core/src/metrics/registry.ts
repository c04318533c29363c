import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric the daemon serves at /metrics. The names and labels are a
 * public interface (dashboards and alerts depend on them): change them
 * only with docs/operations.md. Every label takes a bounded set of values:
 * pipeline and source names come from configuration, never from data.
 */
export interface BackfillMetrics {
  readonly registry: Registry;
  /** Finished runs by outcome: succeeded, failed, interrupted, timed_out. */
  readonly runs: Counter<'pipeline' | 'outcome'>;
  readonly runDuration: Histogram<'pipeline'>;
  readonly recordsFetched: Counter<'pipeline' | 'source'>;
  readonly recordsStored: Counter<'pipeline'>;
  readonly recordsDeadLettered: Counter<'pipeline'>;
  /** Retries the policy granted, by error class. */
  readonly retries: Counter<'pipeline' | 'class'>;
  /** Ledger chunks by state: pending, running, done, failed. */
  readonly chunks: Gauge<'pipeline' | 'state'>;
  readonly lastSuccess: Gauge<'pipeline'>;
  readonly scheduleNextRun: Gauge<'pipeline'>;
  /** Ticks that started no run: overlap, missed. */
  readonly scheduleSkipped: Counter<'pipeline' | 'reason'>;
  readonly sourceRequests: Counter<'source' | 'status_class'>;
}

/** Run durations from a second to a day: a backfill can take hours. */
export const RUN_DURATION_BUCKETS = [
  1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400, 28_800, 86_400,
];

/** A fresh registry with every backfill metric, and nothing else. */
export function createMetrics(registry = new Registry()): BackfillMetrics {
  const registers = [registry];
  return {
    registry,
    runs: new Counter({
      name: 'backfill_runs_total',
      help: 'Finished runs, by outcome.',
      labelNames: ['pipeline', 'outcome'],
      registers,
    }),
    runDuration: new Histogram({
      name: 'backfill_run_duration_seconds',
      help: 'Wall time of finished runs.',
      labelNames: ['pipeline'],
      buckets: RUN_DURATION_BUCKETS,
      registers,
    }),
    recordsFetched: new Counter({
      name: 'backfill_records_fetched_total',
      help: 'Records the sources returned.',
      labelNames: ['pipeline', 'source'],
      registers,
    }),
    recordsStored: new Counter({
      name: 'backfill_records_stored_total',
      help: 'Records the stores acknowledged.',
      labelNames: ['pipeline'],
      registers,
    }),
    recordsDeadLettered: new Counter({
      name: 'backfill_records_dead_lettered_total',
      help: 'Records set aside in the dead-letter table.',
      labelNames: ['pipeline'],
      registers,
    }),
    retries: new Counter({
      name: 'backfill_retries_total',
      help: 'Retries granted by the retry policy, by error class.',
      labelNames: ['pipeline', 'class'],
      registers,
    }),
    chunks: new Gauge({
      name: 'backfill_chunks',
      help: 'Chunks in the ledger, by state.',
      labelNames: ['pipeline', 'state'],
      registers,
    }),
    lastSuccess: new Gauge({
      name: 'backfill_last_success_timestamp_seconds',
      help: 'End time of the last succeeded run (Unix seconds).',
      labelNames: ['pipeline'],
      registers,
    }),
    scheduleNextRun: new Gauge({
      name: 'backfill_schedule_next_run_timestamp_seconds',
      help: 'When the next scheduled run is due (Unix seconds).',
      labelNames: ['pipeline'],
      registers,
    }),
    scheduleSkipped: new Counter({
      name: 'backfill_schedule_skipped_runs_total',
      help: 'Scheduled ticks that started no run, by reason.',
      labelNames: ['pipeline', 'reason'],
      registers,
    }),
    sourceRequests: new Counter({
      name: 'backfill_source_requests_total',
      help: 'Requests the sources made, by status class.',
      labelNames: ['source', 'status_class'],
      registers,
    }),
  };
}
