import type { Json, JsonSchema } from './json.ts';
import type { Logger } from './logger.ts';
import type { Gap, ParamProblem, SourceRecord } from './source.ts';
import type { StateBackend } from './state.ts';

/** Where a batch's cursor goes when the store commits it with the data. */
export interface Checkpoint {
  pipeline: string;
  runId: string;
  chunkId: string;
  cursor: Json;
  /** Records this batch stored: added to the chunk's count. */
  records?: number;
  /** The chunk's fraction done after this batch, when the source says. */
  progress?: number;
  /** Gaps the source reported with this batch, kept with the cursor. */
  gaps?: Gap[];
  /** ISO time of the commit. */
  at?: string;
}

/** One batch for a store to upsert. */
export interface StoreWrite {
  pipeline: string;
  /** The table (or collection) the records go to. */
  collection: string;
  records: SourceRecord[];
  /**
   * Present when the store has `atomicCheckpoint`: commit it in the same
   * transaction as the records.
   */
  checkpoint?: Checkpoint;
}

export interface StoreCapabilities {
  /** Commits the checkpoint in the same transaction as the records. */
  atomicCheckpoint: boolean;
  /** Provides the ledger (state) in the same database. */
  state: boolean;
}

export interface StoreContext<Params = Record<string, unknown>> {
  params: Params;
  logger: Logger;
  /** The working folder; relative paths in params resolve against it. */
  cwd: string;
}

/** An open connection to a store. */
export interface StoreSession {
  /** Upserts records on (pipeline, key): a row per pipeline; idempotent. */
  write(batch: StoreWrite): Promise<void>;
  /**
   * The ledger in the same database, when `capabilities.state`
   * (see state.ts).
   */
  state?: StateBackend;
  close(): Promise<void>;
}

/** A store a plugin provides (`store: { use: name, with }`). */
export interface StoreDefinition<Params = Record<string, unknown>> {
  name: string;
  description?: string;
  schema: JsonSchema;
  capabilities: StoreCapabilities;
  /**
   * Checks JSON Schema cannot express, at validate time; each problem's
   * pointer is relative to `with:`. Must not connect to anything.
   */
  check?(params: Params, settings: Record<string, unknown>): ParamProblem[];
  open(ctx: StoreContext<Params>): Promise<StoreSession>;
}
