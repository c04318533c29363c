/**
 * The time source of the scheduler and the daemon. Production uses the
 * system clock; tests hand over a fake one (fake-clock.ts) and move time
 * by hand, so that no test waits for a real cron tick.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once, `delayMs` from now; returns a handle for `clear`. */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Opaque to callers; each clock knows its own. */
export type TimerHandle = { readonly timer: unknown };

// Node fires a setTimeout longer than this at once (a 32-bit overflow), so
// longer waits are split into steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    const due = Date.now() + Math.max(0, delayMs);
    const handle = { timer: setTimeout(step, clamp(delayMs)) };
    function step(): void {
      const left = due - Date.now();
      if (left <= 0) fn();
      else handle.timer = setTimeout(step, clamp(left));
    }
    return handle;
  },
  clearTimer(handle) {
    clearTimeout((handle as { timer: NodeJS.Timeout }).timer);
  },
};

function clamp(delayMs: number): number {
  return Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
}
