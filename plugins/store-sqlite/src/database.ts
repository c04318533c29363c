import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import type {
  Logger,
  StoreContext,
  StoreSession,
  StoreWrite,
} from '@backfill/plugin-kit';
import { PluginError } from '@backfill/plugin-kit';
import Database from 'better-sqlite3';

import type { SqliteParams } from './params.ts';
import { ensureDataTable, rekeyOldDataTables } from './rekey.ts';
import { SqliteState } from './state.ts';
import { isDataTableName, LEDGER_DDL } from './tables.ts';

/** Opens (creating when needed) the database file and its ledger tables. */
export function openDatabase(
  path: string,
  ctx: StoreContext<SqliteParams>,
): StoreSession {
  const file = path === ':memory:' ? path : resolve(ctx.cwd, path);
  let db: Database.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only a power
    // loss can drop the last transactions, and the ledger rolls back with
    // them.
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${ctx.params.busy_timeout_ms ?? 5000}`);
    db.exec(LEDGER_DDL);
    rekeyOldDataTables(db, ctx.logger);
  } catch (error) {
    if (db?.open) db.close();
    if (PluginError.is(error)) throw error;
    throw openError(file, error);
  }

  const state = new SqliteState(db);
  const writer = new CollectionWriter(db, state, ctx.logger);
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

/**
 * Why the file cannot serve as the store, and what to do: the raw errors
 * (EEXIST from mkdir, SQLITE_NOTADB) named neither the file nor the fix.
 */
function openError(file: string, error: unknown): PluginError {
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  const why =
    code === 'EEXIST' || code === 'ENOTDIR'
      ? `a part of its folder ${dirname(file)} is a file, not a folder`
      : code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN'
        ? `it cannot be created or opened here (${reason}): check the ` +
          "folder's permissions"
        : code === 'SQLITE_NOTADB'
          ? 'the file is not a SQLite database'
          : code === 'SQLITE_READONLY'
            ? 'the file (or its folder) is read-only'
            : reason;
  return new PluginError(
    `cannot use ${file} as the SQLite store: ${why}; set store.with.path ` +
      'to a database file in a folder this process can write',
    {
      code: 'SQLITE_OPEN',
      errorClass: 'fatal',
      cause: error,
      details: { file, reason },
    },
  );
}

// ---------------------------------------------------------------------------

type Upsert = Database.Statement<[string, string, string, string]>;

/** Upserts batches into their collection's table, with the checkpoint. */
class CollectionWriter {
  readonly #db: Database.Database;
  readonly #logger: Logger;
  readonly #upserts = new Map<string, Upsert>();
  readonly #writeBatch: (batch: StoreWrite, upsert: Upsert) => void;

  constructor(db: Database.Database, state: SqliteState, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
    this.#writeBatch = db.transaction((batch: StoreWrite, upsert: Upsert) => {
      const at = batch.checkpoint?.at ?? new Date().toISOString();
      for (const record of batch.records) {
        upsert.run(
          record.key,
          batch.pipeline,
          JSON.stringify(record.value),
          at,
        );
      }
      if (batch.checkpoint) state.checkpointNow(batch.checkpoint);
    });
  }

  write(batch: StoreWrite): void {
    this.#writeBatch(batch, this.#upsertFor(batch.collection));
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
    ensureDataTable(this.#db, collection, this.#logger);
    // A row per pipeline and key: two pipelines reading the same records
    // into one collection keep a row each.
    upsert = this.#db.prepare(
      `INSERT INTO "${collection}" (key, pipeline, data, stored_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (key, pipeline) DO UPDATE SET data = excluded.data,
         stored_at = excluded.stored_at`,
    ) as Upsert;
    this.#upserts.set(collection, upsert);
    return upsert;
  }
}
