import { hasBrand, setBrand } from '@backfill/plugin-kit';

const BRAND = Symbol.for('backfill.ScheduleError');

/** A schedule the daemon cannot follow: a bad cron or time zone. */
export class ScheduleError extends Error {
  /** `SCHEDULE_INVALID_CRON`, `SCHEDULE_INVALID_TIMEZONE`, ... */
  readonly code: string;
  /** The pipeline file (or job list) and pipeline the schedule is from. */
  readonly place: string;

  constructor(code: string, place: string, message: string) {
    super(`${place}: ${message} [${code}]`);
    this.name = 'ScheduleError';
    this.code = code;
    this.place = place;
    setBrand(this, BRAND);
  }

  /** True for a ScheduleError from any copy of this package. */
  static is(value: unknown): value is ScheduleError {
    return hasBrand(value, BRAND);
  }
}
