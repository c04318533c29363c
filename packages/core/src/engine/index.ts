export { EngineError } from './errors.ts';
export { createHooks, type Hooks } from './hooks.ts';
export { latestWindowMs } from './latest.ts';
export { chunkId, planChunks, windowRange } from './planner.ts';
export { type PluginRegistry, registryOf } from './registry.ts';
export {
  type ReplayOptions,
  type ReplayResult,
  replayDeadLetters,
} from './replay.ts';
export {
  collectionOf,
  type Reprocess,
  type RunOptions,
  type RunSummary,
  runPipeline,
  tappedHooks,
} from './runner.ts';
export { onStopSignals, SIGNAL_EXIT_CODES } from './signals.ts';
export { type OpenStores, openStores } from './stores.ts';
