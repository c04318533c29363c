import type { Clock, TimerHandle } from './clock.ts';

/** A clock that moves only when told: for tests of schedules. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer due on the way in
   * order, each at its own due time, and lets the promises they start
   * settle before the next one fires.
   */
  advance(ms: number): Promise<void>;
  /** Moves time forward to an instant (ISO string or ms). */
  advanceTo(at: string | number): Promise<void>;
  /** Timers not fired yet. */
  pending(): number;
}

/** A fake clock that starts at `start` (ISO string or ms). */
export function createFakeClock(start: string | number): FakeClock {
  let now = typeof start === 'string' ? Date.parse(start) : start;
  let sequence = 0;
  const timers = new Map<number, { due: number; fn: () => void }>();

  const clock: FakeClock = {
    now: () => now,
    setTimer(fn, delayMs) {
      const id = ++sequence;
      timers.set(id, { due: now + Math.max(0, delayMs), fn });
      return { timer: id };
    },
    clearTimer(handle: TimerHandle) {
      timers.delete(handle.timer as number);
    },
    async advance(ms) {
      await clock.advanceTo(now + ms);
    },
    async advanceTo(at) {
      const target = typeof at === 'string' ? Date.parse(at) : at;
      await settle();
      for (;;) {
        const next = earliest(timers, target);
        if (!next) break;
        timers.delete(next.id);
        now = Math.max(now, next.due);
        next.fn();
        await settle();
      }
      now = Math.max(now, target);
      await settle();
    },
    pending: () => timers.size,
  };
  return clock;
}

// ---------------------------------------------------------------------------

function earliest(
  timers: Map<number, { due: number; fn: () => void }>,
  limit: number,
): { id: number; due: number; fn: () => void } | undefined {
  let found: { id: number; due: number; fn: () => void } | undefined;
  for (const [id, timer] of timers) {
    if (timer.due > limit) continue;
    // Equal due times fire in the order they were set, as Node's do.
    if (!found || timer.due < found.due) found = { id, ...timer };
  }
  return found;
}

/** Lets queued promise callbacks and I/O callbacks of this turn run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
