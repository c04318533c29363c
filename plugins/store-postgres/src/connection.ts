import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { Logger } from '@backfill/plugin-kit';
import pg from 'pg';

import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_POOL_SIZE,
  type PostgresParams,
} from './params.ts';
import { redactUrl } from './url.ts';

/** A pool on the store's server, with its idle errors logged. */
export function createPool(
  params: PostgresParams,
  cwd: string,
  logger: Logger,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: params.url,
    max: params.pool_size ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis:
      params.connect_timeout_ms ?? DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: 'backfill',
    ...sslOption(params, cwd),
  });
  // An idle connection the server drops emits here; unhandled, it would
  // end the process. The next query opens a fresh connection.
  pool.on('error', (error) => {
    logger.warn(
      { err: { message: error.message }, url: redactUrl(params.url) },
      'postgres connection lost',
    );
  });
  return pool;
}

/**
 * Runs `work` in one transaction on one connection: COMMIT when it
 * resolves, ROLLBACK when it throws. A connection that failed mid-way is
 * destroyed rather than returned to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

// ---------------------------------------------------------------------------

function sslOption(
  params: PostgresParams,
  cwd: string,
): { ssl?: pg.ClientConfig['ssl'] } {
  const ssl = params.ssl;
  if (ssl === undefined) return {};
  if (typeof ssl === 'boolean') return { ssl };
  return {
    ssl: {
      rejectUnauthorized: ssl.reject_unauthorized ?? true,
      ...(ssl.ca_file
        ? { ca: readFileSync(resolve(cwd, ssl.ca_file), 'utf8') }
        : {}),
    },
  };
}
