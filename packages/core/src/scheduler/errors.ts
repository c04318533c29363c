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
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a ScheduleError from any copy of this package. */
  static is(value: unknown): value is ScheduleError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    );
  }
}
