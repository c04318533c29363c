import { sleep } from '@backfill/plugin-kit';

/**
 * Time as the engine sees it. Tests inject a fake one so that backoff
 * delays are asserted exactly, without waiting.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock and real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
};
