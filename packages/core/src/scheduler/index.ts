export type { Clock, TimerHandle } from './clock.ts';
export { systemClock } from './clock.ts';
export { ScheduleError } from './errors.ts';
export type { FakeClock } from './fake-clock.ts';
export { createFakeClock } from './fake-clock.ts';
export type {
  CatchUpPolicy,
  ScheduledPipeline,
  SchedulerOptions,
  SkipReason,
  Tick,
} from './scheduler.ts';
export { Scheduler } from './scheduler.ts';
export type { Trigger } from './trigger.ts';
export { formatDuration, triggerFor } from './trigger.ts';
