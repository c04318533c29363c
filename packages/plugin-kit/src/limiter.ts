import { sleep } from './sleep.ts';

export interface RateLimiterOptions {
  /** Sustained requests per second. Default 10. */
  requestsPerSecond?: number;
  /** Requests allowed in flight at once. Default 16. */
  concurrency?: number;
}

/**
 * Spaces requests to one endpoint. A 429 slows it: `penalize` pauses every
 * caller for the server's Retry-After (or a doubling delay) and halves the
 * rate, which then recovers step by step on success.
 */
export interface RateLimiter {
  /** Waits for a slot; resolves to a release function. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Runs `task` inside a slot. */
  schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Tells the limiter the endpoint said "too many requests". */
  penalize(retryAfterMs?: number): void;
  /** Tells the limiter a request went through. */
  succeed(): void;
  /** The rate in force now, requests per second. */
  readonly currentRate: number;
}

const REGISTRY = Symbol.for('backfill.rateLimiters');
type Registry = Map<string, RateLimiter>;

/**
 * The process-wide limiter for `key` (an endpoint's origin, say). Kept on
 * globalThis under a Symbol.for key, so two copies of this package still
 * share one limiter per endpoint. Options apply when it is first created.
 */
export function sharedLimiter(
  key: string,
  options: RateLimiterOptions = {},
): RateLimiter {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  let registry = holder[REGISTRY];
  if (!registry) {
    registry = new Map();
    holder[REGISTRY] = registry;
  }
  let limiter = registry.get(key);
  if (!limiter) {
    limiter = createRateLimiter(options);
    registry.set(key, limiter);
  }
  return limiter;
}

/** A new, unshared limiter. */
export function createRateLimiter(
  options: RateLimiterOptions = {},
): RateLimiter {
  return new SpacingLimiter(
    options.requestsPerSecond ?? 10,
    options.concurrency ?? 16,
  );
}

// ---------------------------------------------------------------------------

const MIN_PENALTY_MS = 500;
const MAX_PENALTY_MS = 60_000;

class SpacingLimiter implements RateLimiter {
  #rate: number;
  readonly #maxRate: number;
  readonly #concurrency: number;
  #inFlight = 0;
  #nextStart = 0;
  #pausedUntil = 0;
  #penaltyMs = MIN_PENALTY_MS;
  #waiters: Array<() => void> = [];

  constructor(rate: number, concurrency: number) {
    this.#rate = rate;
    this.#maxRate = rate;
    this.#concurrency = Math.max(1, concurrency);
  }

  get currentRate(): number {
    return this.#rate;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    // Sources count on a slot to see an abort, even when no wait is due.
    signal?.throwIfAborted();
    while (this.#inFlight >= this.#concurrency) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
      signal?.throwIfAborted();
    }
    this.#inFlight++;
    try {
      // Reserve a start time before sleeping, so callers queue in order.
      const now = Date.now();
      const start = Math.max(now, this.#nextStart, this.#pausedUntil);
      this.#nextStart = start + 1000 / this.#rate;
      // Under a millisecond is no wait: a timer would round it up to 1 ms
      // and cap a fast limiter (1000+ per second) at one request per ms.
      if (start - now >= 1) await sleep(start - now, signal);
    } catch (error) {
      this.#release();
      throw error;
    }
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.#release();
      }
    };
  }

  async schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  penalize(retryAfterMs?: number): void {
    const delay = retryAfterMs ?? this.#penaltyMs;
    this.#penaltyMs = Math.min(this.#penaltyMs * 2, MAX_PENALTY_MS);
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + delay);
    this.#rate = Math.max(this.#rate / 2, 0.1);
  }

  succeed(): void {
    this.#penaltyMs = MIN_PENALTY_MS;
    if (this.#rate < this.#maxRate) {
      this.#rate = Math.min(this.#maxRate, this.#rate * 1.1);
    }
  }

  #release(): void {
    this.#inFlight--;
    this.#waiters.shift()?.();
  }
}
