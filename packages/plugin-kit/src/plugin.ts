import { hasBrand, setBrand } from './brand.ts';
import type { EngineHooks } from './hooks.ts';
import type { SourceDefinition } from './source.ts';
import type { StoreDefinition } from './store.ts';
import type { TransformDefinition } from './transform.ts';

/** What a plugin package's default export is. */
export interface Plugin {
  /** The npm package name, or a short name for local plugins. */
  name: string;
  /** The plugin API version the plugin was built for (PLUGIN_API_VERSION). */
  apiVersion: string;
  // biome-ignore lint/suspicious/noExplicitAny: params differ per source
  sources?: SourceDefinition<any>[];
  // biome-ignore lint/suspicious/noExplicitAny: params differ per transform
  transforms?: TransformDefinition<any>[];
  // biome-ignore lint/suspicious/noExplicitAny: params differ per store
  stores?: StoreDefinition<any>[];
  /**
   * Taps the engine's hooks. `hooks` is the engine's frozen hooks object
   * (see EngineHooks in hooks.ts).
   */
  setup?(hooks: EngineHooks): void;
}

const BRAND = Symbol.for('backfill.Plugin');

/** Declares a plugin; the identity function, typed, and branded. */
export function definePlugin<P extends Plugin>(plugin: P): P {
  setBrand(plugin, BRAND);
  return plugin;
}

/** True when `value` was made by definePlugin of any copy of this kit. */
export function isPlugin(value: unknown): value is Plugin {
  return hasBrand(value, BRAND);
}
