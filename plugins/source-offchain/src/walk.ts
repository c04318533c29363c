import type { SourceBatch, SourceContext } from '@backfill/plugin-kit';
import { PluginError } from '@backfill/plugin-kit';

import type { OffchainParams } from './params.ts';

/** Not yet: the page walk lands in the next commit. */
// biome-ignore lint/correctness/useYield: placeholder until the walk lands
export async function* walkPages(
  _ctx: SourceContext<OffchainParams>,
): AsyncIterable<SourceBatch> {
  throw new PluginError('the off-chain page walk is not built yet', {
    code: 'OFFCHAIN_NOT_BUILT',
    errorClass: 'fatal',
  });
}
