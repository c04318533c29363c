import type { Json, JsonSchema } from './json.ts';
import type { RateLimiter, RateLimiterOptions } from './limiter.ts';
import type { Logger } from './logger.ts';
import type { Chunk } from './range.ts';

/** One record as a source emits it: a natural key and a JSON object. */
export interface SourceRecord {
  /**
   * Natural key: a signature, `archive:offset`, an API id. Stores upsert on
   * it and the pipeline's name.
   */
  key: string;
  value: { [field: string]: Json };
}

/**
 * A part of the range a source could not fetch and did not drop: a null
 * transaction after its retries, say. The ledger keeps it and `status`
 * shows it.
 */
export interface Gap {
  /** What is missing, e.g. a signature or an archive range. */
  ref: string;
  reason: string;
}

/** What a source yields: records, and where to resume after them. */
export interface SourceBatch {
  records: SourceRecord[];
  /**
   * The resume point after this batch. The engine stores it only after the
   * store has acknowledged the records, and hands it back as
   * `SourceContext.cursor` on the next attempt or run.
   */
  cursor: Json;
  gaps?: Gap[];
  /**
   * Fraction of the chunk done after this batch, 0 to 1, when the source can
   * tell; drives progress and ETA.
   */
  progress?: number;
}

/** What the engine hands a source for one chunk. */
export interface SourceContext<Params = Record<string, unknown>> {
  /** The validated `with:` block, `${ENV}` already resolved. */
  params: Params;
  /** Records per batch the pipeline asks for (source.batch_size). */
  batchSize: number;
  chunk: Chunk;
  /** The cursor of the last stored batch of this chunk, null at its start. */
  cursor: Json | null;
  /** Aborts on timeout, SIGINT/SIGTERM or a fatal error elsewhere. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * The process-wide limiter for an endpoint: every source in the process
   * asking for the same key shares one.
   */
  limiter(key: string, options?: RateLimiterOptions): RateLimiter;
  /** Counts one request to the source, by HTTP-like status class. */
  countRequest(statusClass: '2xx' | '3xx' | '4xx' | '5xx' | 'error'): void;
  /** Host-config settings a source may read, e.g. extra program aliases. */
  settings: Record<string, unknown>;
}

export interface SourceCapabilities {
  /** Hands back `cursor` correctly: resumes mid-chunk without loss. */
  resumable: boolean;
  /**
   * The engine may split the window into several chunks. False for sources
   * whose unit of work is not a range (an archive, an API without time).
   */
  splittable: boolean;
  /** The range kinds the source understands. */
  ranges: Array<'time' | 'slot'>;
}

/** A source a plugin provides. */
export interface SourceDefinition<Params = Record<string, unknown>> {
  /** Short name used in `source.use` (`chain`), unique across plugins. */
  name: string;
  description?: string;
  /** JSON Schema (2020-12) of the `with:` block. Keep it closed. */
  schema: JsonSchema;
  capabilities: SourceCapabilities;
  /**
   * Checks a schema cannot express, made at validate time without network
   * or heavy imports. Each problem names the JSON pointer under `with:`.
   */
  check?(params: Params, settings: Record<string, unknown>): ParamProblem[];
  /**
   * Yields batches for one chunk, from `ctx.cursor` on. Import heavy SDKs
   * lazily inside it, so that `validate` never loads them.
   */
  fetch(ctx: SourceContext<Params>): AsyncIterable<SourceBatch>;
}

/** A problem found by `check`, at a pointer relative to `with:`. */
export interface ParamProblem {
  pointer: string;
  code: string;
  message: string;
}
