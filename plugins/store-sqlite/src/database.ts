import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import type {
  StoreContext,
  StoreSession,
  StoreWrite,
} from '@backfill/plugin-kit';
import { PluginError } from '@backfill/plugin-kit';
import Database from 'better-sqlite3';

import type { SqliteParams } from './params.ts';
import { SqliteState } from './state.ts';
import { dataTableDdl, isDataTableName, LEDGER_DDL } from './tables.ts';

/** Opens (creating when needed) the database file and its ledger tables. */
export function openDatabase(
  path: string,
  ctx: StoreContext<SqliteParams>,
): StoreSession {
  const file = path === ':memory:' ? path : resolve(ctx.cwd, path);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });

  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw new PluginError(`cannot open the SQLite database ${file}`, {
      code: 'SQLITE_OPEN',
      errorClass: 'fatal',
      cause: error,
      details: { file },
    });
  }
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only a power
  // loss can drop the last transactions, and the ledger rolls back with them.
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${ctx.params.busy_timeout_ms ?? 5000}`);
  db.exec(LEDGER_DDL);

  const state = new SqliteState(db);
  const writer = new CollectionWriter(db, state);
  ctx.logger.debug({ file }, 'sqlite store open');

  return {
    state,
    async write(batch) {
      writer.write(batch);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

// ---------------------------------------------------------------------------

type Upsert = Database.Statement<[string, string, string, string]>;

/** Upserts batches into their collection's table, with the checkpoint. */
class CollectionWriter {
  readonly #db: Database.Database;
  readonly #state: SqliteState;
  readonly #upserts = new Map<string, Upsert>();
  readonly #writeBatch: (batch: StoreWrite) => void;

  constructor(db: Database.Database, state: SqliteState) {
    this.#db = db;
    this.#state = state;
    this.#writeBatch = db.transaction((batch: StoreWrite) => {
      const upsert = this.#upsertFor(batch.collection);
      const at = batch.checkpoint?.at ?? new Date().toISOString();
      for (const record of batch.records) {
        upsert.run(
          record.key,
          batch.pipeline,
          JSON.stringify(record.value),
          at,
        );
      }
      if (batch.checkpoint) this.#state.checkpointNow(batch.checkpoint);
    });
  }

  write(batch: StoreWrite): void {
    this.#writeBatch(batch);
  }

  #upsertFor(collection: string): Upsert {
    let upsert = this.#upserts.get(collection);
    if (upsert) return upsert;
    if (!isDataTableName(collection)) {
      throw new PluginError(
        `collection "${collection}" cannot be a SQLite table name: use ` +
          'letters, digits and _, not a ledger table name',
        { code: 'SQLITE_COLLECTION_NAME', errorClass: 'fatal' },
      );
    }
    this.#db.exec(dataTableDdl(collection));
    upsert = this.#db.prepare(
      `INSERT INTO "${collection}" (key, pipeline, data, stored_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET pipeline = excluded.pipeline,
         data = excluded.data, stored_at = excluded.stored_at`,
    ) as Upsert;
    this.#upserts.set(collection, upsert);
    return upsert;
  }
}
