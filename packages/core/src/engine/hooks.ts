import type {
  BatchContext,
  ChunkEndInfo,
  EngineHooks,
  ErrorEvent,
  MetricEvent,
  RetryEvent,
  RunEndInfo,
  RunInfo,
  SourceBatch,
  SourceRecord,
  StoreWrite,
} from '@backfill/plugin-kit';
import { AsyncSeriesHook, AsyncSeriesWaterfallHook, SyncHook } from 'tapable';

/** The hooks with the engine's side of them (`promise`, `call`). */
export interface Hooks extends EngineHooks {
  fetch: AsyncSeriesWaterfallHook<[SourceBatch, BatchContext]>;
  transform: AsyncSeriesWaterfallHook<[SourceRecord[], BatchContext]>;
  store: AsyncSeriesWaterfallHook<[StoreWrite, BatchContext]>;
  retry: SyncHook<[RetryEvent]>;
  metrics: SyncHook<[MetricEvent]>;
  lifecycle: {
    runStart: AsyncSeriesHook<[RunInfo]>;
    runEnd: AsyncSeriesHook<[RunEndInfo]>;
    chunkStart: AsyncSeriesHook<[BatchContext]>;
    chunkEnd: AsyncSeriesHook<[ChunkEndInfo]>;
    error: SyncHook<[ErrorEvent]>;
  };
}

/**
 * Every hook of the engine, in one frozen object: plugins tap it in
 * `setup(hooks)`; the engine calls it. Grouped by stage.
 */
export function createHooks(): Hooks {
  return Object.freeze({
    fetch: new AsyncSeriesWaterfallHook<[SourceBatch, BatchContext]>([
      'batch',
      'context',
    ]),
    transform: new AsyncSeriesWaterfallHook<[SourceRecord[], BatchContext]>([
      'records',
      'context',
    ]),
    store: new AsyncSeriesWaterfallHook<[StoreWrite, BatchContext]>([
      'write',
      'context',
    ]),

    retry: new SyncHook<[RetryEvent]>(['event']),
    metrics: new SyncHook<[MetricEvent]>(['event']),

    lifecycle: Object.freeze({
      runStart: new AsyncSeriesHook<[RunInfo]>(['run']),
      runEnd: new AsyncSeriesHook<[RunEndInfo]>(['run']),
      chunkStart: new AsyncSeriesHook<[BatchContext]>(['chunk']),
      chunkEnd: new AsyncSeriesHook<[ChunkEndInfo]>(['chunk']),
      error: new SyncHook<[ErrorEvent]>(['event']),
    }),
  });
}
