import { hasBrand, setBrand } from './brand.ts';

/**
 * How the engine's retry policy treats an error:
 * - `retriable`: try again after the policy's backoff;
 * - `rate_limited`: try again after `retryAfterMs` when given, else backoff;
 * - `fatal`: do not try again (bad credentials, a 404, invalid params).
 */
export type ErrorClass = 'retriable' | 'rate_limited' | 'fatal';

const BRAND = Symbol.for('backfill.PluginError');

export interface PluginErrorOptions {
  /** Stable code, upper snake case with a prefix: `CHAIN_RPC_TIMEOUT`. */
  code: string;
  errorClass: ErrorClass;
  retryAfterMs?: number;
  cause?: unknown;
  /** Extra structured facts for logs; never secrets. */
  details?: Record<string, unknown>;
}

/** An error a plugin throws so that the engine knows how to retry it. */
export class PluginError extends Error {
  readonly code: string;
  readonly errorClass: ErrorClass;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: PluginErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'PluginError';
    this.code = options.code;
    this.errorClass = options.errorClass;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
    setBrand(this, BRAND);
  }

  /** True for a PluginError from any copy of this package. */
  static is(value: unknown): value is PluginError {
    return hasBrand(value, BRAND);
  }
}

/**
 * The class of any thrown value: a PluginError says its own; an abort is
 * fatal (the run is stopping); anything else is taken as retriable, since
 * an unknown failure of a network source is most often transient.
 */
export function classifyError(error: unknown): ErrorClass {
  if (PluginError.is(error)) return error.errorClass;
  if (error instanceof Error && error.name === 'AbortError') return 'fatal';
  return 'retriable';
}
