import {
  type Logger,
  PluginError,
  type StoreWrite,
} from '@backfill/plugin-kit';
import type pg from 'pg';

import { inTransaction } from './connection.ts';
import { storeError } from './errors.ts';
import type { Migrator } from './migrate.ts';
import { ensureDataTable } from './rekey.ts';
import type { PostgresState } from './state.ts';
import { isDataTableName, quote } from './tables.ts';

/**
 * Upserts batches into their collection's table, the checkpoint in the
 * same transaction: a crash or a failing statement leaves both or neither.
 */
export class CollectionWriter {
  readonly #pool: pg.Pool;
  readonly #schemaName: string;
  readonly #state: PostgresState;
  readonly #migrator: Migrator;
  readonly #logger: Logger;
  readonly #ready = new Set<string>();

  /** `schemaName` unquoted. */
  constructor(
    pool: pg.Pool,
    schemaName: string,
    state: PostgresState,
    migrator: Migrator,
    logger: Logger,
  ) {
    this.#pool = pool;
    this.#schemaName = schemaName;
    this.#state = state;
    this.#migrator = migrator;
    this.#logger = logger;
  }

  async write(batch: StoreWrite): Promise<void> {
    const table = await this.#tableFor(batch.collection);
    const at = batch.checkpoint?.at ?? new Date().toISOString();
    const records = lastOfEachKey(batch.records);
    try {
      await inTransaction(this.#pool, async (db) => {
        // One statement for the whole batch: arrays unnested server-side,
        // so the statement and its plan do not grow with the batch. A row
        // per pipeline and key: two pipelines reading the same records
        // into one collection keep a row each.
        if (records.length > 0) {
          await db.query(
            `INSERT INTO ${table} (key, pipeline, data, stored_at)
             SELECT u.key, $1, u.data::jsonb, $2
             FROM unnest($3::text[], $4::text[]) AS u(key, data)
             ON CONFLICT (key, pipeline) DO UPDATE SET data = excluded.data,
               stored_at = excluded.stored_at`,
            [
              batch.pipeline,
              at,
              records.map((r) => r.key),
              records.map((r) => JSON.stringify(r.value)),
            ],
          );
        }
        if (batch.checkpoint) {
          await this.#state.checkpointNow(db, batch.checkpoint);
        }
      });
    } catch (error) {
      throw storeError(error, `write to ${batch.collection}`, {
        collection: batch.collection,
        records: records.length,
      });
    }
  }

  async #tableFor(collection: string): Promise<string> {
    const table = `${quote(this.#schemaName)}.${quote(collection)}`;
    if (this.#ready.has(collection)) return table;
    if (!isDataTableName(collection)) {
      throw new PluginError(
        `collection "${collection}" cannot be a Postgres table name: use ` +
          'letters, digits and _ (at most 63), not a ledger table name',
        {
          code: 'POSTGRES_COLLECTION_NAME',
          errorClass: 'fatal',
          details: { collection },
        },
      );
    }
    await this.#migrator.run(`create the table ${collection}`, (db) =>
      ensureDataTable(db, this.#schemaName, collection, this.#logger),
    );
    this.#ready.add(collection);
    return table;
  }
}

// ---------------------------------------------------------------------------

/**
 * One record per key (a batch is one pipeline's), the last one winning as
 * it would in a loop of upserts: Postgres refuses an INSERT ... ON
 * CONFLICT that touches a row twice.
 */
function lastOfEachKey<R extends { key: string }>(records: R[]): R[] {
  const byKey = new Map<string, R>();
  for (const record of records) {
    byKey.delete(record.key);
    byKey.set(record.key, record);
  }
  return byKey.size === records.length ? records : [...byKey.values()];
}
