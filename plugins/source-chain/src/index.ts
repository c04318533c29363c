import type { SourceDefinition } from '@backfill/plugin-kit';
import { definePlugin, PLUGIN_API_VERSION } from '@backfill/plugin-kit';

import { checkParams } from './check.ts';
import { type ChainParams, paramsSchema } from './params.ts';

/**
 * The Solana program-history source. Only light modules load here: the
 * Solana SDK is imported inside `fetch`, so `validate` never pays for it.
 */
export const chainSource: SourceDefinition<ChainParams> = {
  name: 'chain',
  description: 'Transactions (or accounts) of Solana programs, by slot range',
  schema: paramsSchema,
  capabilities: { resumable: true, splittable: true, ranges: ['time', 'slot'] },
  check: checkParams,
  async *fetch(ctx) {
    const { fetchChain } = await import('./fetch.ts');
    yield* fetchChain(ctx);
  },
};

export default definePlugin({
  name: '@backfill/source-chain',
  apiVersion: PLUGIN_API_VERSION,
  sources: [chainSource],
});

export { BUILT_IN_ALIASES, type Program } from './aliases.ts';
export { PUBLIC_ENDPOINTS, resolveEndpoint } from './endpoint.ts';
export type { ChainParams, MemcmpFilter, NetworkName } from './params.ts';
