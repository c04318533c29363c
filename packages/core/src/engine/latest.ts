import { Cron } from 'croner';

import type { ScheduleSpec } from '../model/pipeline.ts';

/** Cron ticks looked at for the longest gap: a weekday cron's weekend. */
const TICKS = 8;

/**
 * How far back a run without a window reaches: the pipeline's interval,
 * else the longest gap between its cron's next ticks, else `fallbackMs`.
 * Runs on schedule then meet end to end; an overlap costs little, since
 * chunks on the fixed grid already done are found in the ledger and
 * skipped, while a shortfall would leave history never fetched.
 */
export function latestWindowMs(
  schedule: ScheduleSpec,
  fallbackMs: number,
  now: number,
): number {
  if (schedule.intervalMs) return schedule.intervalMs;
  if (!schedule.cron) return fallbackMs;
  let runs: Date[];
  try {
    const cron = new Cron(schedule.cron, {
      paused: true,
      timezone: schedule.timezone ?? 'UTC',
      mode: '5-or-6-parts',
    });
    runs = cron.nextRuns(TICKS + 1, new Date(now));
  } catch {
    // Validate reports a bad cron where it is written.
    return fallbackMs;
  }
  let longest = 0;
  for (let i = 1; i < runs.length; i++) {
    const gap = (runs[i] as Date).getTime() - (runs[i - 1] as Date).getTime();
    longest = Math.max(longest, gap);
  }
  return longest > 0 ? longest : fallbackMs;
}
