import { hasBrand, setBrand } from '@backfill/plugin-kit';
import type { ErrorCode } from './codes.ts';

/**
 * One problem found in a file, at a place. Lines and columns are 1-based;
 * 0 means the place is unknown (a JavaScript config file, say).
 */
export interface Diagnostic {
  code: ErrorCode | (string & {});
  severity: 'error' | 'warning';
  message: string;
  /** The file as given, or `$BACKFILL_JOBS` for the variable. */
  file: string;
  line: number;
  column: number;
  /** JSON pointer of the node in its file (`/source/with/programs/0`). */
  pointer: string;
  /** What would have been right, in words. */
  expected?: string;
  /** What to do, or the nearest valid name. */
  hint?: string;
  /** A plugin's stack when importing it threw. */
  stack?: string;
}

const BRAND = Symbol.for('backfill.BackfillError');

/**
 * A coded error with the place it points at: what the public API throws
 * when a caller asks for a value rather than a list of diagnostics.
 */
export class BackfillError extends Error {
  readonly code: string;
  readonly diagnostics: Diagnostic[];

  constructor(message: string, code: string, diagnostics: Diagnostic[] = []) {
    super(message);
    this.name = 'BackfillError';
    this.code = code;
    this.diagnostics = diagnostics;
    setBrand(this, BRAND);
  }

  /** True for a BackfillError from any copy of this package. */
  static is(value: unknown): value is BackfillError {
    return hasBrand(value, BRAND);
  }
}

/** True when any diagnostic is an error (warnings do not count). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorts by file order of appearance, then line, then column. */
export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column;
}

/** `path:line:col: CODE message`, the one-line human form. */
export function formatDiagnostic(d: Diagnostic, path = d.file): string {
  const place = d.line > 0 ? `${path}:${d.line}:${d.column}` : path;
  return `${place}: ${d.code} ${d.message}`;
}
