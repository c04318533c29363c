/**
 * An error of the engine a user can cause or must act on: a stable
 * `ENGINE_*` code, a one-line message saying what to do, and facts.
 */
export class EngineError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
    this.details = details;
  }
}

/** The stable code of any error: its own `code`, else UNKNOWN. */
export function codeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return 'UNKNOWN';
}

/** A message fit for a log line or the ledger. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
