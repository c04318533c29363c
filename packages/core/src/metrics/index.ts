export type { MetricsTapOptions } from './engine-taps.ts';
export { METRICS_TAP, setChunkCounts, tapMetrics } from './engine-taps.ts';
export { chunkState, errorClass, statusClass } from './labels.ts';
export type { BackfillMetrics } from './registry.ts';
export { createMetrics, RUN_DURATION_BUCKETS } from './registry.ts';
export { scheduleMetrics } from './schedule-taps.ts';
