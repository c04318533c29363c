import type {
  Plugin,
  SourceDefinition,
  StoreDefinition,
  TransformDefinition,
} from '@backfill/plugin-kit';

import { builtinTransforms } from '../transforms/index.ts';
import { EngineError } from './errors.ts';

/**
 * What the engine needs from plugin resolution: definitions by the name a
 * pipeline `use:`s, and the plugins whose `setup` taps the hooks.
 */
export interface PluginRegistry {
  source(name: string): SourceDefinition;
  transform(name: string): TransformDefinition;
  store(name: string): StoreDefinition;
  plugins(): readonly Plugin[];
}

/**
 * A registry over loaded plugins; the built-in transforms are always in
 * it. The first plugin to provide a name wins.
 */
export function registryOf(plugins: readonly Plugin[]): PluginRegistry {
  const all = plugins.includes(builtinTransforms)
    ? plugins
    : [...plugins, builtinTransforms];
  const find = <T extends { name: string }>(
    kind: 'source' | 'transform' | 'store',
    list: (p: Plugin) => T[] | undefined,
    name: string,
  ): T => {
    for (const plugin of all) {
      const found = list(plugin)?.find((d) => d.name === name);
      if (found) return found;
    }
    const known = all.flatMap((p) => list(p)?.map((d) => d.name) ?? []);
    throw new EngineError(
      'ENGINE_UNKNOWN_PLUGIN',
      `no plugin provides the ${kind} "${name}" (known: ` +
        `${known.join(', ') || 'none'}): name its plugin in the host config`,
      { kind, name },
    );
  };
  return {
    source: (name) => find('source', (p) => p.sources, name),
    transform: (name) => find('transform', (p) => p.transforms, name),
    store: (name) => find('store', (p) => p.stores, name),
    plugins: () => all,
  };
}
