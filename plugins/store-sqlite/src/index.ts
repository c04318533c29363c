import type { StoreDefinition } from '@backfill/plugin-kit';
import { definePlugin, PLUGIN_API_VERSION } from '@backfill/plugin-kit';

import { paramsSchema, type SqliteParams } from './params.ts';

/** Where the database lives when `with: { path }` does not say. */
export const DEFAULT_DATABASE_PATH = '.backfill/backfill.db';

/**
 * The embedded SQLite store: records and the ledger in one file. The
 * driver is imported inside `open`, so that `validate` never loads the
 * native module.
 */
export const sqliteStore: StoreDefinition<SqliteParams> = {
  name: 'sqlite',
  description: 'SQLite file (WAL): records, ledger, leases and run history',
  schema: paramsSchema,
  capabilities: { atomicCheckpoint: true, state: true },
  async open(ctx) {
    const { openDatabase } = await import('./database.ts');
    return openDatabase(ctx.params.path ?? DEFAULT_DATABASE_PATH, ctx);
  },
};

export default definePlugin({
  name: '@backfill/store-sqlite',
  apiVersion: PLUGIN_API_VERSION,
  stores: [sqliteStore],
});

export type { SqliteParams } from './params.ts';
