import type { ErrorClass } from './errors.ts';
import type { Chunk } from './range.ts';
import type { SourceBatch, SourceRecord } from './source.ts';
import type { StoreWrite } from './store.ts';

/*
 * The engine's hooks as a plugin sees them in `setup(hooks)`. The engine
 * builds them with tapable (packages/core/src/engine/hooks.ts); these are
 * the structural types, so that plugins need not depend on tapable.
 */

/** A hook whose taps run one after another; each may await. */
export interface SeriesHook<Args extends unknown[]> {
  tap(name: string, fn: (...args: Args) => void): void;
  tapPromise(name: string, fn: (...args: Args) => Promise<void>): void;
}

/** A series hook whose taps each return the (possibly new) first arg. */
export interface WaterfallHook<T, Ctx> {
  tap(name: string, fn: (value: T, ctx: Ctx) => T): void;
  tapPromise(name: string, fn: (value: T, ctx: Ctx) => Promise<T>): void;
}

/** A hook whose taps run synchronously and return nothing. */
export interface NotifyHook<Args extends unknown[]> {
  tap(name: string, fn: (...args: Args) => void): void;
}

/** Where a batch is in the run. */
export interface BatchContext {
  pipeline: string;
  runId: string;
  chunk: Chunk;
}

export interface RunInfo {
  pipeline: string;
  runId: string;
  chunks: number;
}

export interface RunEndInfo extends RunInfo {
  status: 'succeeded' | 'failed' | 'interrupted' | 'timed_out';
  recordsFetched: number;
  recordsStored: number;
  recordsDeadLettered: number;
}

export interface ChunkEndInfo extends BatchContext {
  state: 'done' | 'failed' | 'pending';
  records: number;
  error?: string;
}

export interface RetryEvent extends BatchContext {
  stage: 'fetch' | 'transform' | 'store';
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  errorClass: ErrorClass;
  error: unknown;
}

export interface ErrorEvent {
  pipeline: string;
  runId: string;
  chunkId?: string;
  stage: 'fetch' | 'transform' | 'store' | 'run';
  error: unknown;
}

/** The counters the engine reports; issue 7 maps them to Prometheus. */
export type MetricName =
  | 'records_fetched'
  | 'records_stored'
  | 'records_dead_lettered'
  | 'retries'
  | 'chunks'
  | 'source_requests';

export interface MetricEvent {
  name: MetricName;
  /** Increment (counters) or count (chunks by state). */
  value: number;
  labels: {
    pipeline: string;
    /** `retries`: the error class; `chunks`: the state entered. */
    class?: string;
    state?: string;
    /** `source_requests`: 2xx, 4xx, error... */
    status?: string;
  };
}

/** The engine's frozen hooks object, grouped by stage. */
export interface EngineHooks {
  /** Each fetched batch, before it is transformed. */
  fetch: WaterfallHook<SourceBatch, BatchContext>;
  /** Each batch's records after the pipeline's transforms. */
  transform: WaterfallHook<SourceRecord[], BatchContext>;
  /** Each write, just before the store gets it. */
  store: WaterfallHook<StoreWrite, BatchContext>;
  /** Each retry the policy grants, before its delay. */
  retry: NotifyHook<[RetryEvent]>;
  /** Counter increments. */
  metrics: NotifyHook<[MetricEvent]>;
  lifecycle: {
    runStart: SeriesHook<[RunInfo]>;
    runEnd: SeriesHook<[RunEndInfo]>;
    chunkStart: SeriesHook<[BatchContext]>;
    chunkEnd: SeriesHook<[ChunkEndInfo]>;
    error: NotifyHook<[ErrorEvent]>;
  };
}
