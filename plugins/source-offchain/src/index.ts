import type { SourceDefinition } from '@backfill/plugin-kit';
import { definePlugin, PLUGIN_API_VERSION } from '@backfill/plugin-kit';

import { checkParams } from './check.ts';
import { type OffchainParams, paramsSchema } from './params.ts';

/**
 * The off-chain source: records from a paginated HTTP JSON API, every page
 * once. The HTTP client (undici) is imported inside `fetch`, so that
 * `validate` never loads it.
 */
export const offchainSource: SourceDefinition<OffchainParams> = {
  name: 'off-chain',
  description: 'Paginated HTTP JSON API (cursor, offset, page, Link, next URL)',
  schema: paramsSchema,
  capabilities: { resumable: true, splittable: false, ranges: ['time'] },
  check: (params) => checkParams(params),
  async *fetch(ctx) {
    const { walkPages } = await import('./walk.ts');
    yield* walkPages(ctx);
  },
};

export default definePlugin({
  name: '@backfill/source-offchain',
  apiVersion: PLUGIN_API_VERSION,
  sources: [offchainSource],
});

export type {
  IncrementalParams,
  OffchainParams,
  PaginationParams,
  PaginationStyle,
} from './params.ts';
export { OFFCHAIN_DEFAULTS, paramsSchema } from './params.ts';
