import { type Logger, PluginError } from '@backfill/plugin-kit';
import type pg from 'pg';

import { dataTableDdl, quote } from './tables.ts';

// Older stores keyed a data table on `key` alone, so that two pipelines
// writing the same keys to one collection overwrote each other's rows.
// Their tables are rekeyed to (key, pipeline) in place, by one ALTER TABLE
// that drops the old primary key and adds the new one. Both functions run
// under the Migrator's lock, in its transaction: a failure changes nothing.

/** Rekeys every data table of the schema an older store made. */
export async function rekeyOldDataTables(
  db: pg.PoolClient,
  schemaName: string,
  logger: Logger,
): Promise<void> {
  for (const table of await tablesOf(db, schemaName)) {
    if (shapeOf(table) === 'old') await rekey(db, schemaName, table, logger);
  }
}

/** Creates the collection's table when missing and rekeys an old one. */
export async function ensureDataTable(
  db: pg.PoolClient,
  schemaName: string,
  collection: string,
  logger: Logger,
): Promise<void> {
  await db.query(dataTableDdl(`${quote(schemaName)}.${quote(collection)}`));
  const [table] = await tablesOf(db, schemaName, collection);
  if (!table) return;
  const shape = shapeOf(table);
  if (shape === 'old') await rekey(db, schemaName, table, logger);
  if (shape === 'other') throw notADataTable(schemaName, table);
}

// ---------------------------------------------------------------------------

/** A relation of the schema as the catalogue describes it. */
interface CatalogueTable {
  table: string;
  /** The primary key constraint's name; null without one. */
  constraint: string | null;
  /** The primary key's columns, in order. */
  key: string[];
  columns: string[];
}

type Shape = 'current' | 'old' | 'other';

const DATA_COLUMNS = ['key', 'pipeline', 'data', 'stored_at'];
const DATA_TABLE_KEY = ['key', 'pipeline'];

/**
 * The schema's relations (or only `table`), with their primary keys: a
 * view or a sequence of the collection's name is reported, not skipped.
 */
async function tablesOf(
  db: pg.PoolClient,
  schemaName: string,
  table: string | null = null,
): Promise<CatalogueTable[]> {
  const result = await db.query(
    `SELECT c.relname AS "table", con.conname AS "constraint",
       coalesce((SELECT array_agg(a.attname::text ORDER BY k.n)
                 FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a
                   ON a.attrelid = c.oid AND a.attnum = k.attnum),
                '{}') AS key,
       coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum)
                 FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0
                   AND NOT a.attisdropped),
                '{}') AS columns
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_constraint con ON con.conrelid = c.oid AND con.contype = 'p'
     WHERE n.nspname = $1 AND ($2::text IS NULL OR c.relname = $2)
     ORDER BY c.relname`,
    [schemaName, table],
  );
  return result.rows as CatalogueTable[];
}

function shapeOf({ key, columns }: CatalogueTable): Shape {
  if (!DATA_COLUMNS.every((name) => columns.includes(name))) return 'other';
  if (key.length === 1 && key[0] === 'key') return 'old';
  const sameSet =
    key.length === DATA_TABLE_KEY.length &&
    DATA_TABLE_KEY.every((name) => key.includes(name));
  return sameSet ? 'current' : 'other';
}

async function rekey(
  db: pg.PoolClient,
  schemaName: string,
  { table, constraint }: CatalogueTable,
  logger: Logger,
): Promise<void> {
  // An old table has a primary key: shapeOf saw its one column.
  const oldKey = quoteAny(constraint as string);
  const started = performance.now();
  logger.info({ table }, 'rekeying a data table to (key, pipeline)');
  // One statement: the table is locked once, the new key's index built
  // once, and no moment exists without a primary key.
  await db.query(
    `ALTER TABLE ${quote(schemaName)}.${quoteAny(table)}
       DROP CONSTRAINT ${oldKey},
       ADD PRIMARY KEY (key, pipeline)`,
  );
  const ms = Math.round(performance.now() - started);
  logger.info({ table, ms }, 'data table rekeyed');
}

function notADataTable(
  schemaName: string,
  { table, key, columns }: CatalogueTable,
): PluginError {
  return new PluginError(
    `table ${schemaName}.${table} is not a backfill data table: expected ` +
      `the columns ${DATA_COLUMNS.join(', ')} and the primary key (key, ` +
      `pipeline), found (${columns.join(', ')}) with the primary key ` +
      `(${key.join(', ')}): rename it, and backfill creates its own`,
    {
      code: 'POSTGRES_DATA_TABLE',
      errorClass: 'fatal',
      details: { schema: schemaName, table, primaryKey: key },
    },
  );
}

/** A catalogue name as an identifier, whatever characters it holds. */
function quoteAny(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
