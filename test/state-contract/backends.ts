import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type StoreSession, silentLogger } from '@backfill/plugin-kit';
import { postgresStore } from '@backfill/store-postgres';
import { sqliteStore } from '@backfill/store-sqlite';
import Database from 'better-sqlite3';
import pg from 'pg';

/** A stored record as both stores hold it, its JSON parsed. */
export interface StoredRow {
  key: string;
  pipeline: string;
  data: unknown;
}

/** One empty database of a backend: sessions on it share its tables. */
export interface ContractDatabase {
  open(): Promise<StoreSession>;
  /** Every row of a data table, by key, then pipeline. */
  rows(table: string): Promise<StoredRow[]>;
  remove(): Promise<void>;
}

/** A store under the contract: how to make an empty database of it. */
export interface ContractBackend {
  name: string;
  create(): Promise<ContractDatabase>;
}

/** The SQLite store, one temporary file per database. */
export const sqliteBackend: ContractBackend = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'backfill-contract-'));
    const path = join(dir, 'state.db');
    const open = () =>
      sqliteStore.open({ params: { path }, logger: silentLogger, cwd: dir });
    return {
      open,
      async rows(table) {
        const db = new Database(path, { readonly: true });
        try {
          const rows = db
            .prepare(
              `SELECT key, pipeline, data FROM "${table}"
               ORDER BY key, pipeline`,
            )
            .all() as Array<{ key: string; pipeline: string; data: string }>;
          return rows.map((r) => ({ ...r, data: JSON.parse(r.data) }));
        } finally {
          db.close();
        }
      },
      async remove() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

let schemas = 0;

/** The Postgres store on the server at `url()`, one schema per database. */
export function postgresBackend(url: () => string): ContractBackend {
  return {
    name: 'postgres',
    async create() {
      const schema = `contract_${process.pid}_${++schemas}`;
      const open = () =>
        postgresStore.open({
          params: { url: url(), schema },
          logger: silentLogger,
          cwd: tmpdir(),
        });
      const client = async <T>(work: (c: pg.Client) => Promise<T>) => {
        const c = new pg.Client({ connectionString: url() });
        await c.connect();
        try {
          return await work(c);
        } finally {
          await c.end();
        }
      };
      return {
        open,
        rows: (table) =>
          client(async (c) => {
            const result = await c.query(
              `SELECT key, pipeline, data FROM "${schema}"."${table}"
               ORDER BY key COLLATE "C", pipeline COLLATE "C"`,
            );
            return result.rows as StoredRow[];
          }),
        remove: () =>
          client(async (c) => {
            await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          }),
      };
    },
  };
}
