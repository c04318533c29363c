import type { JsonSchema } from './json.ts';
import type { Logger } from './logger.ts';
import type { ParamProblem, SourceRecord } from './source.ts';

/**
 * What a transform makes of one record: the same or a new record, several
 * records, or null to drop it (a filter). Throwing sends the record to the
 * dead-letter table once retries are spent; the others flow on.
 */
export type TransformResult = SourceRecord | SourceRecord[] | null;

export interface RecordTransform {
  (record: SourceRecord): TransformResult | Promise<TransformResult>;
  /**
   * Called once the records of a batch have all been through, for what
   * only a whole batch shows (a picked field that no record had). A batch
   * retried record by record ends after each record.
   */
  endBatch?(): void;
}

export interface TransformContext {
  logger: Logger;
  pipeline: string;
}

/** A transform a plugin provides (`transform: [{ use: name, with }]`). */
export interface TransformDefinition<Params = Record<string, unknown>> {
  name: string;
  description?: string;
  schema: JsonSchema;
  /**
   * Checks a schema cannot express, made at validate time without network
   * or heavy imports. Each problem names the JSON pointer under `with:`.
   */
  check?(params: Params, settings: Record<string, unknown>): ParamProblem[];
  /** Builds the per-record function once per run. */
  create(params: Params, ctx: TransformContext): RecordTransform;
}
