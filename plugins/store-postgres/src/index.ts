import type { StoreDefinition } from '@backfill/plugin-kit';
import { definePlugin, PLUGIN_API_VERSION } from '@backfill/plugin-kit';

import { checkParams } from './check.ts';
import { type PostgresParams, paramsSchema } from './params.ts';

/**
 * The PostgreSQL store for teams: the SQLite store's tables in a Postgres
 * schema. The driver is imported inside `open`, so that `validate` never
 * loads it.
 */
export const postgresStore: StoreDefinition<PostgresParams> = {
  name: 'postgres',
  description:
    'PostgreSQL: records (JSONB), ledger, leases and run history in a schema',
  schema: paramsSchema,
  capabilities: { atomicCheckpoint: true, state: true },
  check: checkParams,
  async open(ctx) {
    const { openDatabase } = await import('./database.ts');
    return openDatabase(ctx);
  },
};

export default definePlugin({
  name: '@backfill/store-postgres',
  apiVersion: PLUGIN_API_VERSION,
  stores: [postgresStore],
});

export type { PostgresParams, PostgresSslParams } from './params.ts';
export { redactUrl } from './url.ts';
