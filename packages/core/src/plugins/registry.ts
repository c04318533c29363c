import type {
  Plugin,
  SourceDefinition,
  StoreDefinition,
  TransformDefinition,
} from '@backfill/plugin-kit';

import type { PluginRegistry } from '../engine/registry.ts';
import { BackfillError, type Diagnostic } from '../errors/diagnostic.ts';
import { quote } from '../errors/quote.ts';
import { builtinTransforms } from '../transforms/index.ts';
import { didYouMean, listOf } from '../validate/suggest.ts';
import { loadPluginEntry } from './load.ts';
import { resolvePlugin } from './resolve.ts';

export type StepKind = 'source' | 'transform' | 'store';

/** The definition type of each kind of step. */
export interface DefinitionOf {
  // biome-ignore lint/suspicious/noExplicitAny: params differ per plugin
  source: SourceDefinition<any>;
  // biome-ignore lint/suspicious/noExplicitAny: params differ per plugin
  transform: TransformDefinition<any>;
  // biome-ignore lint/suspicious/noExplicitAny: params differ per plugin
  store: StoreDefinition<any>;
}

/** A plugin in the registry, with where it came from. */
export interface LoadedPlugin {
  plugin: Plugin;
  /** The name it was asked for: a package name or a path. */
  request: string;
  origin: 'builtin' | 'bundled' | 'config';
  entry?: string;
}

/** What `use:` resolves to: a definition, or why none. */
export type Lookup<K extends StepKind> =
  | { ok: true; definition: DefinitionOf[K]; plugin: LoadedPlugin }
  | {
      ok: false;
      code: 'UNKNOWN_USE' | 'AMBIGUOUS_USE';
      message: string;
      expected?: string;
      hint?: string;
    };

/** Where to find plugins, and who asked for them. */
export interface PluginSearch {
  /** The working folder. */
  cwd: string;
  /** Plugin package names the CLI ships, resolved from `bundledFrom`. */
  bundled?: string[];
  bundledFrom?: string;
  /** Plugins named in the host config, resolved from its folder first. */
  config?: {
    file: string;
    dir: string;
    plugins: string[];
    /** Line and column of `/plugins/<i>` in the config file. */
    locate?(pointer: string): { line: number; column: number };
  };
}

const KEY_OF = {
  source: 'sources',
  transform: 'transforms',
  store: 'stores',
} as const;

/**
 * The plugins of one project, resolved and loaded: every source, transform
 * and store by name. It is the engine's PluginRegistry, so that what
 * `validate` accepted is what a run uses.
 */
export class LoadedPluginRegistry implements PluginRegistry {
  readonly loaded: readonly LoadedPlugin[];
  /**
   * Host-config plugins that could not be found or loaded, at the place
   * the config names them: errors of the project.
   */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Bundled plugins that could not be loaded. Not errors by themselves (a
   * pipeline that does not use them is fine); an unknown `use:` cites them.
   */
  readonly bundledFailures: readonly Diagnostic[];
  /** The names of the plugins, bundled or configured, that did not load. */
  readonly failed: readonly string[];

  constructor(
    plugins: LoadedPlugin[],
    diagnostics: Diagnostic[] = [],
    bundledFailures: Diagnostic[] = [],
    failed: string[] = bundledFailures.map((d) => d.file),
  ) {
    this.loaded = plugins;
    this.diagnostics = diagnostics;
    this.bundledFailures = bundledFailures;
    this.failed = failed;
  }

  source(use: string): DefinitionOf['source'] {
    return this.#require('source', use);
  }

  transform(use: string): DefinitionOf['transform'] {
    return this.#require('transform', use);
  }

  store(use: string): DefinitionOf['store'] {
    return this.#require('store', use);
  }

  plugins(): readonly Plugin[] {
    return this.loaded.map((p) => p.plugin);
  }

  /** Finds the definition `use:` names, by its name or its package's. */
  lookup<K extends StepKind>(kind: K, use: string): Lookup<K> {
    const named = this.#definitions(kind).filter(
      (d) => d.definition.name === use,
    );
    if (named.length === 1) return { ok: true, ...named[0]! };
    if (named.length > 1) {
      const owners = named.map((d) => d.plugin.plugin.name);
      return {
        ok: false,
        code: 'AMBIGUOUS_USE',
        message: `${kind} "${use}" is provided by ${listOf(owners, 'and')}`,
        hint: `name the plugin package instead, e.g. use: ${owners[0]}`,
      };
    }

    const owner = this.loaded.find(
      (p) => p.plugin.name === use || p.request === use,
    );
    if (owner) {
      const provided = (owner.plugin[KEY_OF[kind]] ?? []) as DefinitionOf[K][];
      if (provided.length === 1) {
        return { ok: true, definition: provided[0]!, plugin: owner };
      }
      const names = provided.map((d) => d.name);
      return {
        ok: false,
        code: provided.length === 0 ? 'UNKNOWN_USE' : 'AMBIGUOUS_USE',
        message:
          provided.length === 0
            ? `plugin ${quote(use)} provides no ${kind}`
            : `plugin ${quote(use)} provides several ${kind}s: name one of ${listOf(names)}`,
        ...(names.length ? { expected: listOf(names) } : {}),
      };
    }

    const known = this.names(kind);
    const near = didYouMean(use, known);
    // The plugin meant to provide it may be one that failed: say which.
    const notLoaded = this.failed.length
      ? `these plugins did not load: ${listOf(this.failed, 'and')}`
      : undefined;
    return {
      ok: false,
      code: 'UNKNOWN_USE',
      message:
        `unknown ${kind} ${quote(use)}` +
        (near ? `; did you mean "${near}"?` : ''),
      expected: known.length ? `one of ${listOf(known)}` : `a ${kind} plugin`,
      hint: near
        ? `did you mean "${near}"?${notLoaded ? ` Or: ${notLoaded}` : ''}`
        : (notLoaded ??
          'add the plugin that provides it to "plugins" in the host config'),
    };
  }

  /** The names `use:` accepts for a kind, sorted. */
  names(kind: StepKind): string[] {
    return [
      ...new Set(this.#definitions(kind).map((d) => d.definition.name)),
    ].sort();
  }

  #require<K extends StepKind>(kind: K, use: string): DefinitionOf[K] {
    const found = this.lookup(kind, use);
    if (found.ok) return found.definition;
    throw new BackfillError(found.message, found.code);
  }

  #byKind = new Map<
    StepKind,
    Array<{ definition: unknown; plugin: LoadedPlugin }>
  >();

  #definitions<K extends StepKind>(
    kind: K,
  ): Array<{ definition: DefinitionOf[K]; plugin: LoadedPlugin }> {
    let list = this.#byKind.get(kind);
    if (!list) {
      list = this.#collect(kind);
      this.#byKind.set(kind, list);
    }
    return list as Array<{ definition: DefinitionOf[K]; plugin: LoadedPlugin }>;
  }

  #collect<K extends StepKind>(kind: K) {
    return this.loaded.flatMap((plugin) =>
      ((plugin.plugin[KEY_OF[kind]] ?? []) as DefinitionOf[K][]).map(
        (definition) => ({ definition, plugin }),
      ),
    );
  }
}

const cache = new Map<string, Promise<LoadedPluginRegistry>>();

/**
 * Loads the built-in transforms, the host config's plugins and the bundled
 * ones, once per distinct search: later calls share the result.
 */
export function loadPluginRegistry(
  search: PluginSearch,
): Promise<LoadedPluginRegistry> {
  const key = JSON.stringify([
    search.cwd,
    search.bundled,
    search.bundledFrom,
    search.config?.file,
    search.config?.plugins,
  ]);
  let registry = cache.get(key);
  if (!registry) {
    registry = buildRegistry(search);
    cache.set(key, registry);
  }
  return registry;
}

/** Forgets loaded registries: for tests and benchmarks of a cold start. */
export function clearPluginCache(): void {
  cache.clear();
}

// ---------------------------------------------------------------------------

async function buildRegistry(
  search: PluginSearch,
): Promise<LoadedPluginRegistry> {
  const plugins: LoadedPlugin[] = [
    {
      plugin: builtinTransforms,
      request: builtinTransforms.name,
      origin: 'builtin',
    },
  ];
  const diagnostics: Diagnostic[] = [];
  const bundledFailures: Diagnostic[] = [];
  const failed: string[] = [];
  const requests: Array<{
    name: string;
    from: string[];
    origin: 'bundled' | 'config';
    file: string;
    pointer: string;
  }> = [];

  const config = search.config;
  config?.plugins.forEach((name, i) => {
    requests.push({
      name,
      from: [
        config.dir,
        search.cwd,
        ...(search.bundledFrom ? [search.bundledFrom] : []),
      ],
      origin: 'config',
      file: config.file,
      pointer: `/plugins/${i}`,
    });
  });
  for (const name of search.bundled ?? []) {
    if (config?.plugins.includes(name)) continue; // the host's copy wins
    requests.push({
      name,
      from: [search.bundledFrom ?? search.cwd],
      origin: 'bundled',
      file: name,
      pointer: '',
    });
  }

  const loads = requests.map(async (request) => {
    const where =
      request.origin === 'config'
        ? {
            file: request.file,
            ...(config?.locate?.(request.pointer) ?? { line: 0, column: 0 }),
          }
        : { file: request.file, line: 0, column: 0 };
    const resolution = resolvePlugin(request.name, request.from);
    if (!resolution.found) {
      return {
        name: request.name,
        diagnostic: {
          code: 'PLUGIN_NOT_FOUND',
          severity: 'error',
          message:
            `plugin "${request.name}" not found; looked in ` +
            resolution.looked.join(', '),
          ...where,
          pointer: request.pointer,
          hint:
            request.origin === 'config'
              ? `install it in the host repository (npm install ${request.name})`
              : 'reinstall backfill: a bundled plugin is missing',
        } satisfies Diagnostic,
      };
    }
    const load = await loadPluginEntry(resolution.entry, request.name);
    if (!load.ok) {
      return {
        name: request.name,
        diagnostic: {
          code: load.code,
          severity: 'error',
          message: load.message,
          ...where,
          pointer: request.pointer,
          ...(load.stack ? { stack: load.stack } : {}),
        } satisfies Diagnostic,
      };
    }
    return {
      loaded: {
        plugin: load.plugin,
        request: request.name,
        origin: request.origin,
        entry: resolution.entry,
      } satisfies LoadedPlugin,
    };
  });

  for (const result of await Promise.all(loads)) {
    if ('loaded' in result && result.loaded) plugins.push(result.loaded);
    if ('diagnostic' in result && result.diagnostic) {
      const d = result.diagnostic;
      (d.pointer === '' ? bundledFailures : diagnostics).push(d);
      failed.push(result.name);
    }
  }
  return new LoadedPluginRegistry(
    plugins,
    diagnostics,
    bundledFailures,
    failed,
  );
}
