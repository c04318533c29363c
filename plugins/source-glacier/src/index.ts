import type { SourceContext } from '@backfill/plugin-kit';
import { definePlugin, PLUGIN_API_VERSION } from '@backfill/plugin-kit';

import { checkParams, type GlacierParams, paramsSchema } from './params.ts';

export type { ArchiveFormat, GlacierParams, GlacierTier } from './params.ts';
export { checkParams, paramsSchema, parseDuration } from './params.ts';

/**
 * The Glacier vault source. This module stays light: the AWS SDK is loaded
 * inside `fetch`, so that `backfill validate` never pays for it.
 */
export default definePlugin({
  name: '@backfill/source-glacier',
  apiVersion: PLUGIN_API_VERSION,
  sources: [
    {
      name: 'glacier',
      description: 'Records from archives in AWS S3 Glacier vaults',
      schema: paramsSchema,
      capabilities: { resumable: true, splittable: false, ranges: ['time'] },
      check: (params: GlacierParams) => checkParams(params),
      async *fetch(ctx: SourceContext<GlacierParams>) {
        const { fetchGlacier } = await import('./fetch.ts');
        yield* fetchGlacier(ctx);
      },
    },
  ],
});
