export type { StatusOptions } from './open-state.ts';
export { forEachStateStore, statusOf } from './open-state.ts';
export type { ProgressInput, RunProgress } from './progress.ts';
export { runProgress } from './progress.ts';
export type { PipelineStatus, StatusQuery, StatusReport } from './report.ts';
export { mergeStatus, readStatus } from './report.ts';
export { formatStatus } from './table.ts';
