// The public API of @backfill/core. Each subsystem adds its own lines.

// Typed API for users of the older service (issue 3)
export { Backfiller, createBackfiller } from './api/backfiller.ts';
export { type CustomJob, customJobSpec } from './api/custom-job.ts';
export { defaultJobFor, defaultJobs } from './api/default-jobs.ts';
export type { JobRequest, OlderJob } from './api/jobs.ts';
export type {
  BackfillerOptions,
  JobResult,
  JobStartFailure,
  ScheduledJob,
} from './api/options.ts';
export type { BackfillerStatus, JobProgress } from './api/status.ts';
// Pipeline language, host config, plugins and validation (issue 2)
export * from './config/host-config.ts';
export * from './daemon/index.ts'; // issue 7
// Engine (issue 3)
export * from './engine/index.ts';
export * from './errors/index.ts';
export { type LoadedDocument, loadFile, loadText } from './loader/document.ts';
export { isDuration, parseDuration } from './loader/duration.ts';
export { resolveEnv } from './loader/env.ts';
export { createLogger, type LoggerOptions } from './logging/logger.ts';
export { REDACTED, redactDeep, redactText } from './logging/redact.ts';
export * from './metrics/index.ts'; // issue 7
export * from './model/pipeline.ts';
export * from './plugins/registry.ts';
export { type Clock, systemClock } from './retry/clock.ts';
export { type RetryOptions, RetryPolicy } from './retry/policy.ts';
// Scheduler, metrics, status and the daemon (issue 7)
export {
  type CatchUpPolicy,
  type Clock as ScheduleClock,
  createFakeClock,
  type FakeClock,
  formatDuration,
  type ScheduledPipeline,
  ScheduleError,
  Scheduler,
  type SchedulerOptions,
  type SkipReason,
  systemClock as scheduleSystemClock,
  type Tick,
  type Trigger,
  triggerFor,
} from './scheduler/index.ts';
export * from './status/index.ts';
export { forEachStateStore } from './status/open-state.ts';
export { builtinTransforms } from './transforms/index.ts';
export type * from './validate/context.ts';
export * from './validate/project.ts';
