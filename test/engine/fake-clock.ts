import type { Clock } from '../../packages/core/src/retry/clock.ts';

/** A clock whose sleeps return at once and are recorded. */
export function fakeClock(start = Date.parse('2026-03-01T00:00:00Z')) {
  let now = start;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
    },
  };
  return { clock, sleeps };
}
