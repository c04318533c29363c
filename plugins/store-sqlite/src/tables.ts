/**
 * The ledger's tables. Documented, with example queries, in README.md:
 * keep the two in step. Times are ISO-8601 UTC text; JSON is text.
 */
export const LEDGER_DDL = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  window TEXT NOT NULL,
  holder TEXT NOT NULL,
  records_fetched INTEGER NOT NULL DEFAULT 0,
  records_stored INTEGER NOT NULL DEFAULT 0,
  records_dead_lettered INTEGER NOT NULL DEFAULT 0,
  error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (pipeline, started_at);

CREATE TABLE IF NOT EXISTS chunks (
  pipeline TEXT NOT NULL,
  id TEXT NOT NULL,
  range TEXT NOT NULL,
  range_start TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  cursor TEXT,
  records INTEGER NOT NULL DEFAULT 0,
  progress REAL,
  last_error TEXT,
  run_id TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (pipeline, id)
);

CREATE TABLE IF NOT EXISTS leases (
  pipeline TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  since TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline TEXT NOT NULL,
  run_id TEXT NOT NULL,
  chunk_id TEXT NOT NULL,
  collection TEXT NOT NULL,
  stage TEXT NOT NULL,
  record_key TEXT NOT NULL,
  record TEXT NOT NULL,
  error_code TEXT NOT NULL,
  error_message TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS gaps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline TEXT NOT NULL,
  run_id TEXT NOT NULL,
  chunk_id TEXT NOT NULL,
  ref TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

/**
 * A data table: one per collection, a row per pipeline and key. Key first
 * in the primary key, so that a lookup by key stays an index search.
 * `ifMissing: false` fails on an existing table rather than reuse it.
 */
export function dataTableDdl(table: string, ifMissing = true): string {
  return `CREATE TABLE ${ifMissing ? 'IF NOT EXISTS ' : ''}"${table}" (
  key TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  data TEXT NOT NULL,
  stored_at TEXT NOT NULL,
  PRIMARY KEY (key, pipeline)
)`;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const RESERVED = new Set(['runs', 'chunks', 'leases', 'dead_letters', 'gaps']);

/** True when `name` can be a data table: plain, and not a ledger table. */
export function isDataTableName(name: string): boolean {
  return TABLE_NAME.test(name) && !RESERVED.has(name.toLowerCase());
}
