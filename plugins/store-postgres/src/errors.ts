import { type ErrorClass, PluginError } from '@backfill/plugin-kit';

/**
 * SQLSTATE classes that no retry cures: the data or the statement is
 * wrong (22 data exception, 23 constraint, 42 syntax or access). The
 * engine then isolates the batch record by record at once instead of
 * backing off first. Anything else (connection, serialization, deadlock,
 * a server shutting down) is retriable.
 */
const FATAL_CLASSES = new Set(['22', '23', '42']);

/** A driver error as a PluginError with a stable code and the statement. */
export function storeError(
  error: unknown,
  what: string,
  details: Record<string, unknown> = {},
): PluginError {
  if (PluginError.is(error)) return error;
  // The server's errors carry a severity and a SQLSTATE `code`; the
  // socket's carry a Node code (ECONNREFUSED) and no severity.
  const fields = error as { code?: unknown; severity?: unknown };
  const state =
    typeof fields.severity === 'string' && typeof fields.code === 'string'
      ? fields.code
      : undefined;
  const errorClass: ErrorClass =
    state && FATAL_CLASSES.has(state.slice(0, 2)) ? 'fatal' : 'retriable';
  const message = error instanceof Error ? error.message : String(error);
  return new PluginError(`postgres store: ${what} failed: ${message}`, {
    code: state ? 'POSTGRES_QUERY' : 'POSTGRES_CONNECTION',
    errorClass,
    cause: error,
    details: { ...details, ...(state ? { sqlState: state } : {}) },
  });
}
