import { IDENTIFIER } from './params.ts';

/**
 * The ledger's tables, in the schema `s` (already quoted). The SQLite
 * store's tables with Postgres types: times are timestamptz, JSON is
 * JSONB, counters bigint. Documented, with psql queries, in README.md:
 * keep the two in step. Every statement is idempotent; `migrate` runs
 * them under an advisory lock, since two `CREATE ... IF NOT EXISTS` at once
 * can still collide in the catalogue.
 */
export function ledgerDdl(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.runs (
  id text PRIMARY KEY,
  pipeline text NOT NULL,
  status text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  "window" jsonb NOT NULL,
  holder text NOT NULL,
  records_fetched bigint NOT NULL DEFAULT 0,
  records_stored bigint NOT NULL DEFAULT 0,
  records_dead_lettered bigint NOT NULL DEFAULT 0,
  error text,
  seq bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX IF NOT EXISTS runs_by_pipeline
  ON ${s}.runs (pipeline, started_at);

CREATE TABLE IF NOT EXISTS ${s}.chunks (
  pipeline text NOT NULL,
  id text NOT NULL,
  "range" jsonb NOT NULL,
  range_start text NOT NULL,
  state text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  "cursor" jsonb,
  records bigint NOT NULL DEFAULT 0,
  progress double precision,
  last_error text,
  run_id text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (pipeline, id)
);

CREATE TABLE IF NOT EXISTS ${s}.leases (
  pipeline text PRIMARY KEY,
  holder text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL,
  run_id text NOT NULL,
  since timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS ${s}.dead_letters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pipeline text NOT NULL,
  run_id text NOT NULL,
  chunk_id text NOT NULL,
  collection text NOT NULL,
  stage text NOT NULL,
  record_key text NOT NULL,
  record jsonb NOT NULL,
  error_code text NOT NULL,
  error_message text NOT NULL,
  attempts integer NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS ${s}.gaps (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pipeline text NOT NULL,
  run_id text NOT NULL,
  chunk_id text NOT NULL,
  ref text NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL
);
`;
}

/**
 * A data table: one per collection, a row per pipeline and key. Key first
 * in the primary key, so that a lookup by key stays an index search.
 */
export function dataTableDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  key text NOT NULL,
  pipeline text NOT NULL,
  data jsonb NOT NULL,
  stored_at timestamptz NOT NULL,
  PRIMARY KEY (key, pipeline)
)`;
}

const NAME = new RegExp(IDENTIFIER);
const RESERVED = new Set(['runs', 'chunks', 'leases', 'dead_letters', 'gaps']);

/** True when `name` can be a data table: plain, and not a ledger table. */
export function isDataTableName(name: string): boolean {
  return NAME.test(name) && !RESERVED.has(name.toLowerCase());
}

/** `"name"`: safe only for names that passed IDENTIFIER. */
export function quote(name: string): string {
  return `"${name}"`;
}
