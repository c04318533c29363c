import type { SourceBatch, SourceContext } from '@backfill/plugin-kit';
import { PluginError } from '@backfill/plugin-kit';

import type { ChainParams } from './params.ts';

/** Placeholder until the walk lands. */
export function fetchChain(
  _ctx: SourceContext<ChainParams>,
): AsyncGenerator<SourceBatch> {
  throw new PluginError('the chain walk is not built yet', {
    code: 'CHAIN_NOT_BUILT',
    errorClass: 'fatal',
  });
}
