import type { ErrorClass } from '@backfill/plugin-kit';
import { classifyError, PluginError } from '@backfill/plugin-kit';

/*
 * Why not the `exponential-backoff` package: it draws its full jitter from
 * Math.random with no way to inject the random source (tests could not
 * assert exact delays), has no per-error delay for Retry-After and no
 * AbortSignal. The policy is a dozen lines, so it lives here.
 */

export interface RetryOptions {
  /** Retries after the first attempt; 0 means fail at once. */
  maxRetries: number;
  /** First backoff ceiling, ms. Default 500. */
  baseMs?: number;
  /** Largest backoff ceiling, ms. Default 30 s. */
  capMs?: number;
  /** No retry may start later than this after the first failure, ms. */
  deadlineMs?: number;
  /** 0 <= x < 1; Math.random unless a test injects one. */
  random?: () => number;
}

/** What the policy says about one failure. */
export type RetryDecision =
  | { retry: true; delayMs: number; errorClass: ErrorClass; attempt: number }
  | { retry: false; errorClass: ErrorClass; reason: GiveUpReason };

export type GiveUpReason = 'fatal' | 'max_retries' | 'deadline';

export const RETRY_DEFAULTS = {
  baseMs: 500,
  capMs: 30_000,
  deadlineMs: 15 * 60_000,
} as const;

/**
 * Exponential backoff with full jitter: the n-th retry (n from 0) waits
 * random(0, min(cap, base * 2^n)); a rate-limited error with a
 * Retry-After waits exactly that. One policy object per unit of work
 * (a chunk, a batch): it counts the retries it granted.
 */
export class RetryPolicy {
  readonly #options: Required<RetryOptions>;
  #retries = 0;
  #firstFailureAt: number | null = null;

  constructor(options: RetryOptions) {
    this.#options = {
      baseMs: RETRY_DEFAULTS.baseMs,
      capMs: RETRY_DEFAULTS.capMs,
      deadlineMs: RETRY_DEFAULTS.deadlineMs,
      random: Math.random,
      ...options,
    };
  }

  /** Retries granted so far. */
  get retries(): number {
    return this.#retries;
  }

  /** Decides about `error`, seen at `now` (ms). */
  next(error: unknown, now: number): RetryDecision {
    const errorClass = classifyError(error);
    if (errorClass === 'fatal') {
      return { retry: false, errorClass, reason: 'fatal' };
    }
    if (this.#retries >= this.#options.maxRetries) {
      return { retry: false, errorClass, reason: 'max_retries' };
    }
    this.#firstFailureAt ??= now;
    const delayMs = this.delayFor(this.#retries, error);
    const elapsed = now - this.#firstFailureAt;
    if (elapsed + delayMs > this.#options.deadlineMs) {
      return { retry: false, errorClass, reason: 'deadline' };
    }
    const attempt = ++this.#retries;
    return { retry: true, delayMs, errorClass, attempt };
  }

  /** Progress was made: later failures start a fresh sequence. */
  reset(): void {
    this.#retries = 0;
    this.#firstFailureAt = null;
  }

  /** The wait before retry number `n` (0-based) after `error`. */
  delayFor(n: number, error?: unknown): number {
    if (PluginError.is(error) && error.retryAfterMs !== undefined) {
      return Math.max(0, error.retryAfterMs);
    }
    const { baseMs, capMs, random } = this.#options;
    const ceiling = Math.min(capMs, baseMs * 2 ** n);
    return Math.floor(random() * ceiling);
  }
}
