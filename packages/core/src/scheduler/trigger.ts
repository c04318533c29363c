import { Cron } from 'croner';

import type { ScheduleSpec } from '../model/pipeline.ts';
import { ScheduleError } from './errors.ts';

/** When a pipeline's runs are due. */
export interface Trigger {
  /** `cron 0 2 * * * (Europe/Paris)` or `every 6h`: for logs and status. */
  readonly description: string;
  /**
   * The first due time strictly after `afterMs`. `anchorMs` is when the
   * interval counts from (the last run, or the daemon's start); cron
   * ignores it.
   */
  next(afterMs: number, anchorMs: number): number | null;
}

/**
 * The trigger of a schedule: croner for a 5- or 6-field cron (seconds
 * first when six), in the pipeline's time zone or UTC; else every
 * `intervalMs`, else every `defaultIntervalMs` (the job list's
 * `default_interval`, 6h when absent), as the older service ran its jobs.
 */
export function triggerFor(
  schedule: ScheduleSpec,
  defaultIntervalMs: number,
  place: string,
): Trigger {
  if (schedule.cron !== undefined) return cronTrigger(schedule, place);
  const every = schedule.intervalMs ?? defaultIntervalMs;
  if (!Number.isFinite(every) || every < 1000) {
    throw new ScheduleError(
      'SCHEDULE_INVALID_INTERVAL',
      place,
      `interval of ${every} ms is below the 1s minimum; ` +
        'give an interval such as 15m or 6h',
    );
  }
  return {
    description: `every ${formatDuration(every)}`,
    next(afterMs, anchorMs) {
      const steps = Math.floor((afterMs - anchorMs) / every) + 1;
      return anchorMs + Math.max(1, steps) * every;
    },
  };
}

// ---------------------------------------------------------------------------

function cronTrigger(schedule: ScheduleSpec, place: string): Trigger {
  const pattern = schedule.cron ?? '';
  const timezone = schedule.timezone ?? 'UTC';
  checkTimezone(timezone, place);

  let cron: Cron;
  try {
    cron = new Cron(pattern, { paused: true, timezone, mode: '5-or-6-parts' });
  } catch (error) {
    throw new ScheduleError(
      'SCHEDULE_INVALID_CRON',
      place,
      `schedule "${pattern}" is not a cron expression ` +
        `(${(error as Error).message.replace(/^CronPattern: /, '')}); ` +
        'use 5 fields (minute hour day month weekday) or 6 with seconds first',
    );
  }
  return {
    description: `cron ${pattern} (${timezone})`,
    next(afterMs) {
      return cron.nextRun(new Date(afterMs))?.getTime() ?? null;
    },
  };
}

function checkTimezone(timezone: string, place: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ScheduleError(
      'SCHEDULE_INVALID_TIMEZONE',
      place,
      `time zone "${timezone}" is unknown; ` +
        'use an IANA name such as Europe/Paris or UTC',
    );
  }
}

/** 21600000 -> `6h`, 900000 -> `15m`, 90000 -> `90s`. */
export function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
