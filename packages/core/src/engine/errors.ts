import { redactText } from '../logging/redact.ts';

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

/**
 * A message fit for a log line or the ledger. Libraries throw plain
 * objects too (JSONata throws `{ code, message, token, ... }`): their
 * string `message`, else a short JSON of them, never `[object Object]`.
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error !== 'object' || error === null) return String(error);
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  return shortJson(error);
}

/**
 * messageOf for the ledger (runs, chunks, dead letters): with every value a
 * `${VAR}` resolved to replaced. A source may name such a value in its
 * message (a query parameter in a URL, say), and `backfill status` prints
 * the ledger in a shell that may not have the variable to redact it by.
 */
export function ledgerMessage(
  error: unknown,
  secrets: readonly string[],
): string {
  return redactText(messageOf(error), secrets);
}

// ---------------------------------------------------------------------------

const SHORT = 200;

function shortJson(value: object): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // A cycle, or a BigInt: the keys still say what it was.
    text = `{${Object.keys(value).join(', ')}}`;
  }
  return text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text;
}
