import type { ErrorClass } from '../errors.ts';
import type { JsonSchema } from '../json.ts';
import type { Chunk } from '../range.ts';
import type { SourceDefinition } from '../source.ts';

/** Checks one value against a compiled schema. */
export type SchemaCheck = (value: unknown) => boolean;

/** What a plugin author hands the conformance checks of a source. */
export interface SourceConformance<Params = Record<string, unknown>> {
  source: SourceDefinition<Params>;
  /**
   * Valid `with:` params of a run that yields at least two batches at
   * `batchSize` (a loopback server of the author's tests behind them).
   */
  params: Params;
  /** The chunk each run covers; default the first day of 2026, UTC. */
  chunk?: Chunk;
  /** Records per batch; default 2, small so that a run has batches. */
  batchSize?: number;
  /** Host-config settings the source reads; default none. */
  settings?: Record<string, unknown>;
  /**
   * Ways to make the source fail, each with the class its error must
   * have: an endpoint answering 500 (retriable), 401 (fatal), ...
   */
  failures?: FailureCase<Params>[];
  /**
   * Compiles a JSON Schema (2020-12). Default: ajv's Ajv2020 in strict
   * schema mode, so that a misspelt keyword is an error.
   */
  compileSchema?: (schema: JsonSchema) => SchemaCheck;
  /**
   * Longest wait for one batch before a check fails instead of hanging
   * the author's test runner; default 30 s.
   */
  batchTimeoutMs?: number;
}

/** One way to make the source fail, and what its error must say. */
export interface FailureCase<Params = Record<string, unknown>> {
  /** Names the case in assertion messages: `endpoint answers 500`. */
  name: string;
  params: Params;
  errorClass: ErrorClass;
  /** The error's code, when the author wants it pinned. */
  code?: string;
}

/** The chunk a check covers when the author names none. */
export const DEFAULT_CHUNK: Chunk = {
  id: 'conformance',
  range: {
    kind: 'time',
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-01-02T00:00:00.000Z',
  },
};
