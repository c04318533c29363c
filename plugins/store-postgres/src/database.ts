import {
  PluginError,
  type StoreContext,
  type StoreSession,
} from '@backfill/plugin-kit';

import { createPool } from './connection.ts';
import { Migrator } from './migrate.ts';
import { DEFAULT_SCHEMA, IDENTIFIER, type PostgresParams } from './params.ts';
import { rekeyOldDataTables } from './rekey.ts';
import { PostgresState } from './state.ts';
import { ledgerDdl, quote } from './tables.ts';
import { redactUrl } from './url.ts';
import { CollectionWriter } from './writer.ts';

/** Connects, creates the schema and ledger tables when missing. */
export async function openDatabase(
  ctx: StoreContext<PostgresParams>,
): Promise<StoreSession> {
  const { params, logger } = ctx;
  const schemaName = params.schema ?? DEFAULT_SCHEMA;
  if (!new RegExp(IDENTIFIER).test(schemaName)) {
    throw new PluginError(
      `schema "${schemaName}" is not a plain Postgres name: use letters, ` +
        'digits and _ (at most 63)',
      { code: 'POSTGRES_SCHEMA_NAME', errorClass: 'fatal' },
    );
  }
  const url = redactUrl(params.url);
  const pool = createPool(params, ctx.cwd, logger);
  const migrator = new Migrator(pool, schemaName);
  try {
    await migrator.run('create the tables', async (db) => {
      await db.query(ledgerDdl(quote(schemaName)));
      await rekeyOldDataTables(db, schemaName, logger);
    });
  } catch (error) {
    await pool.end();
    const cause = error as PluginError;
    throw new PluginError(
      `cannot open the Postgres store at ${url}: ` +
        `${messageOf(cause.cause ?? cause)}`,
      {
        code: 'POSTGRES_OPEN',
        errorClass: cause.errorClass,
        cause: error,
        details: { url, schema: schemaName },
      },
    );
  }

  const schema = quote(schemaName);
  const state = new PostgresState(pool, schema);
  const writer = new CollectionWriter(
    pool,
    schemaName,
    state,
    migrator,
    logger,
  );
  logger.debug({ url, schema: schemaName }, 'postgres store open');

  let closed = false;
  return {
    state,
    write: (batch) => writer.write(batch),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

// ---------------------------------------------------------------------------

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
