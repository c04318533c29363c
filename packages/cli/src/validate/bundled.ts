import { fileURLToPath } from 'node:url';

/**
 * The plugins the CLI ships. Core names no source: the CLI hands it these
 * names and its own folder, and they load like any third-party plugin.
 */
export const BUNDLED_PLUGINS = [
  '@backfill/source-chain',
  '@backfill/source-glacier',
  '@backfill/source-offchain',
  '@backfill/store-sqlite',
  '@backfill/store-postgres',
];

/** The CLI package's folder, where the bundled plugins resolve from. */
export const CLI_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The `bundledPlugins` option of core's loadProject. */
export const bundledPlugins = { names: BUNDLED_PLUGINS, from: CLI_ROOT };
