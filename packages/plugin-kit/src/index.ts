export { hasBrand, setBrand } from './brand.ts';
export type { ErrorClass, PluginErrorOptions } from './errors.ts';
export { classifyError, PluginError } from './errors.ts';
export type {
  BatchContext,
  ChunkEndInfo,
  EngineHooks,
  ErrorEvent,
  MetricEvent,
  MetricName,
  NotifyHook,
  RetryEvent,
  RunEndInfo,
  RunInfo,
  SeriesHook,
  WaterfallHook,
} from './hooks.ts';
export type { Json, JsonSchema } from './json.ts';
export type { RateLimiter, RateLimiterOptions } from './limiter.ts';
export { createRateLimiter, sharedLimiter } from './limiter.ts';
export type { Logger } from './logger.ts';
export { silentLogger } from './logger.ts';
export type { Plugin } from './plugin.ts';
export { definePlugin, isPlugin } from './plugin.ts';
export type { Chunk, ChunkRange } from './range.ts';
export { sleep } from './sleep.ts';
export type {
  Gap,
  ParamProblem,
  SourceBatch,
  SourceCapabilities,
  SourceContext,
  SourceDefinition,
  SourceRecord,
} from './source.ts';
export type {
  ChunkMark,
  ChunkRow,
  ChunkState,
  DeadLetterInput,
  DeadLetterRow,
  GapInput,
  GapRow,
  LeaseRow,
  PlannedChunk,
  RunCounts,
  RunEnd,
  RunRow,
  RunStart,
  RunStatus,
  StateBackend,
} from './state.ts';
export type {
  Checkpoint,
  StoreCapabilities,
  StoreContext,
  StoreDefinition,
  StoreSession,
  StoreWrite,
} from './store.ts';
export type {
  RecordTransform,
  TransformContext,
  TransformDefinition,
  TransformResult,
} from './transform.ts';
export { majorOf, PLUGIN_API_VERSION } from './version.ts';
