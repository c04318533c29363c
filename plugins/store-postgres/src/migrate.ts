import type pg from 'pg';

import { inTransaction } from './connection.ts';
import { storeError } from './errors.ts';

/**
 * The advisory lock's first key: "bkfl". The second is the schema's hash,
 * so that stores in two schemas of one database do not wait on each other.
 */
const LOCK_CLASS = 0x626b666c;

/** Runs schema changes one process at a time per schema. */
export class Migrator {
  readonly #pool: pg.Pool;
  readonly #schemaName: string;

  /** `schemaName` unquoted: it names the lock, not a table. */
  constructor(pool: pg.Pool, schemaName: string) {
    this.#pool = pool;
    this.#schemaName = schemaName;
  }

  /**
   * Runs `step` in one transaction under the lock. Two `CREATE TABLE IF
   * NOT EXISTS` racing in two processes can both pass the check and one
   * then fails on the catalogue's unique index; a step that reads the
   * catalogue before it changes a table would act twice. With the
   * transaction-scoped lock the second waits and finds the work done.
   * `what` names the step in the error: `create the tables`.
   */
  async run(
    what: string,
    step: (db: pg.PoolClient) => Promise<void>,
  ): Promise<void> {
    try {
      await inTransaction(this.#pool, async (db) => {
        await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
          LOCK_CLASS,
          this.#schemaName,
        ]);
        await step(db);
      });
    } catch (error) {
      throw storeError(error, what, { schema: this.#schemaName });
    }
  }
}
