import type pg from 'pg';

import { inTransaction } from './connection.ts';
import { storeError } from './errors.ts';

/**
 * The advisory lock's first key: "bkfl". The second is the schema's hash,
 * so that stores in two schemas of one database do not wait on each other.
 */
const LOCK_CLASS = 0x626b666c;

/** Runs idempotent DDL one process at a time per schema. */
export class Migrator {
  readonly #pool: pg.Pool;
  readonly #schemaName: string;

  /** `schemaName` unquoted: it names the lock, not a table. */
  constructor(pool: pg.Pool, schemaName: string) {
    this.#pool = pool;
    this.#schemaName = schemaName;
  }

  /**
   * Two `CREATE TABLE IF NOT EXISTS` racing in two processes can both pass
   * the check and one then fails on the catalogue's unique index; the
   * transaction-scoped lock makes the second wait and find the table.
   */
  async run(ddl: string): Promise<void> {
    try {
      await inTransaction(this.#pool, async (db) => {
        await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
          LOCK_CLASS,
          this.#schemaName,
        ]);
        await db.query(ddl);
      });
    } catch (error) {
      throw storeError(error, 'create the tables', {
        schema: this.#schemaName,
      });
    }
  }
}
