import { type Logger, PluginError } from '@backfill/plugin-kit';
import type Database from 'better-sqlite3';

import { dataTableDdl, isDataTableName } from './tables.ts';

// Older stores keyed a data table on `key` alone, so that two pipelines
// writing the same keys to one collection overwrote each other's rows.
// Their tables are rekeyed to (key, pipeline) the first time a newer store
// opens the file. SQLite cannot alter a primary key: the rows are copied.

/** Rekeys every data table an older store made; does nothing after. */
export function rekeyOldDataTables(
  db: Database.Database,
  logger: Logger,
): void {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
    .pluck()
    .all() as string[];
  for (const table of tables.filter(isDataTableName)) {
    if (shapeOf(db, table) === 'old') ensureDataTable(db, table, logger);
  }
}

/**
 * Creates the collection's table when missing and rekeys an old one. The
 * transaction is IMMEDIATE and looks again once it holds the write lock:
 * a second process opening the file meanwhile waits, then finds it done.
 */
export function ensureDataTable(
  db: Database.Database,
  table: string,
  logger: Logger,
): void {
  if (shapeOf(db, table) === 'current') return;
  const started = performance.now();
  const ensure = db.transaction((): number | null => {
    const shape = shapeOf(db, table);
    if (shape === 'missing') db.exec(dataTableDdl(table));
    if (shape === 'other') throw notADataTable(db, table);
    if (shape !== 'old') return null;
    logger.info({ table }, 'rekeying a data table to (key, pipeline)');
    return rekey(db, table);
  });
  const rows = ensure.immediate();
  // Logged after the commit, which writes the copy back from the WAL.
  if (rows === null) return;
  const ms = Math.round(performance.now() - started);
  logger.info({ table, rows, ms }, 'data table rekeyed');
}

// ---------------------------------------------------------------------------

type Shape = 'missing' | 'current' | 'old' | 'other';

interface Column {
  name: string;
  /** 1-based position in the primary key, 0 when not part of it. */
  pk: number;
}

const DATA_COLUMNS = ['key', 'pipeline', 'data', 'stored_at'];
const DATA_TABLE_KEY = ['key', 'pipeline'];

function shapeOf(db: Database.Database, table: string): Shape {
  const columns = tableInfo(db, table);
  if (columns.length === 0) return 'missing';
  const names = new Set(columns.map((c) => c.name.toLowerCase()));
  if (!DATA_COLUMNS.every((name) => names.has(name))) return 'other';
  const key = primaryKey(columns);
  if (key.join() === 'key') return 'old';
  const sameSet =
    key.length === DATA_TABLE_KEY.length &&
    DATA_TABLE_KEY.every((name) => key.includes(name));
  return sameSet ? 'current' : 'other';
}

/** Copies the table into one keyed on (key, pipeline): its row count. */
function rekey(db: Database.Database, table: string): number {
  const copy = `${table}__rekey`;
  // DROP TABLE takes the table's indexes and triggers with it: a user's
  // own are made again, from their SQL, on the new table.
  const dependents = db
    .prepare(
      `SELECT sql FROM sqlite_master
       WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL`,
    )
    .pluck()
    .all(table) as string[];

  db.exec(dataTableDdl(copy, false));
  const { changes } = db
    .prepare(
      `INSERT INTO "${copy}" (key, pipeline, data, stored_at)
       SELECT key, pipeline, data, stored_at FROM "${table}"`,
    )
    .run();
  db.exec(`DROP TABLE "${table}"`);
  renameTable(db, copy, table);
  for (const sql of dependents) db.exec(sql);
  return changes;
}

/**
 * Since SQLite 3.26 a rename checks every view, and one that names the
 * table just dropped fails it; the legacy mode renames without the check,
 * and such a view reads the new table once it has the old name.
 */
function renameTable(db: Database.Database, from: string, to: string): void {
  const legacy = db.pragma('legacy_alter_table', { simple: true });
  db.pragma('legacy_alter_table = ON');
  try {
    db.exec(`ALTER TABLE "${from}" RENAME TO "${to}"`);
  } finally {
    db.pragma(`legacy_alter_table = ${legacy ? 'ON' : 'OFF'}`);
  }
}

function notADataTable(db: Database.Database, table: string): PluginError {
  const columns = tableInfo(db, table);
  const key = primaryKey(columns);
  return new PluginError(
    `table "${table}" is not a backfill data table: expected the columns ` +
      `${DATA_COLUMNS.join(', ')} and the primary key (key, pipeline), ` +
      `found (${columns.map((c) => c.name).join(', ')}) with the primary ` +
      `key (${key.join(', ')}): rename it, and backfill creates its own`,
    {
      code: 'SQLITE_DATA_TABLE',
      errorClass: 'fatal',
      details: { table, primaryKey: key },
    },
  );
}

function tableInfo(db: Database.Database, table: string): Column[] {
  return db.pragma(`table_info("${table}")`) as Column[];
}

function primaryKey(columns: Column[]): string[] {
  return columns
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name.toLowerCase());
}
