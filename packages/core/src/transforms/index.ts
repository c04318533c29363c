import { definePlugin, PLUGIN_API_VERSION } from '@backfill/plugin-kit';

import { dedupe } from './dedupe.ts';
import { omit, pick, rename, set } from './fields.ts';
import { filter } from './filter.ts';

/**
 * The built-in transforms (filter, pick, omit, rename, set, dedupe), as a
 * plugin the registry always loads.
 */
export const builtinTransforms = definePlugin({
  name: '@backfill/core/transforms',
  apiVersion: PLUGIN_API_VERSION,
  transforms: [filter, pick, omit, rename, set, dedupe],
});
