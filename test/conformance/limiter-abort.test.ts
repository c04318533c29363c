// Found by the conformance suite: sources (chain) see an abort at their
// next limiter slot, so a slot must refuse an aborted signal even when
// the limiter is fast enough that no wait is due.
import { createRateLimiter } from '@backfill/plugin-kit';
import { describe, expect, it } from 'vitest';

describe('a limiter slot and an aborted signal', () => {
  it('acquire rejects with the signal reason when no wait is due', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 1_000_000 });
    const stop = new AbortController();
    stop.abort(new Error('stopped'));
    await expect(limiter.acquire(stop.signal)).rejects.toThrow('stopped');
  });

  it('schedule does not run the task', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 1_000_000 });
    const stop = new AbortController();
    stop.abort();
    let ran = false;
    const task = async () => {
      ran = true;
    };
    await expect(limiter.schedule(task, stop.signal)).rejects.toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
    expect(ran).toBe(false);
  });
});
