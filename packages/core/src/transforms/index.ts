import { PLUGIN_API_VERSION, definePlugin } from '@backfill/plugin-kit';

/**
 * The built-in transforms (filter, pick, omit, rename, set, dedupe), as a
 * plugin the registry always loads.
 */
export const builtinTransforms = definePlugin({
  name: '@backfill/core/transforms',
  apiVersion: PLUGIN_API_VERSION,
  transforms: [],
});
