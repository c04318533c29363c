import type { SourceBatch, SourceContext } from '@backfill/plugin-kit';
import { PluginError } from '@backfill/plugin-kit';

import type { GlacierParams } from './params.ts';

/** Fetches one chunk: jobs, ranged verified downloads, decoded records. */
// biome-ignore lint/correctness/useYield: replaced by the walk next commit
export async function* fetchGlacier(
  _ctx: SourceContext<GlacierParams>,
): AsyncIterable<SourceBatch> {
  throw new PluginError('the glacier source is not built yet', {
    code: 'GLACIER_NOT_BUILT',
    errorClass: 'fatal',
  });
}
