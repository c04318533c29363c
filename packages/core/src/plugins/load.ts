import { pathToFileURL } from 'node:url';

import {
  isPlugin,
  majorOf,
  PLUGIN_API_VERSION,
  type Plugin,
} from '@backfill/plugin-kit';

/** A plugin that loaded, or why it did not. */
export type PluginLoad =
  | { ok: true; plugin: Plugin }
  | {
      ok: false;
      code: 'PLUGIN_LOAD_FAILED' | 'PLUGIN_SHAPE' | 'PLUGIN_API_MISMATCH';
      message: string;
      stack?: string;
    };

/** Imports a plugin's entry file and checks what its default export is. */
export async function loadPluginEntry(
  entry: string,
  name: string,
): Promise<PluginLoad> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(entry).href);
  } catch (error) {
    const err = error as Error;
    return {
      ok: false,
      code: 'PLUGIN_LOAD_FAILED',
      message: `plugin "${name}" failed to load from ${entry}: ${err?.message ?? err}`,
      stack: err?.stack,
    };
  }
  return checkPlugin(module.default, name);
}

/** Checks a plugin object: made by definePlugin, complete, same major. */
export function checkPlugin(value: unknown, name: string): PluginLoad {
  const shape = (message: string): PluginLoad => ({
    ok: false,
    code: 'PLUGIN_SHAPE',
    message: `plugin "${name}" ${message}`,
  });
  if (!isPlugin(value)) {
    return shape(
      'has no default export made by definePlugin() of @backfill/plugin-kit',
    );
  }
  const missing = missingFields(value);
  if (missing.length > 0) return shape(`is incomplete: ${missing.join('; ')}`);

  const theirs = majorOf(value.apiVersion);
  const ours = majorOf(PLUGIN_API_VERSION);
  if (theirs !== ours) {
    return {
      ok: false,
      code: 'PLUGIN_API_MISMATCH',
      message:
        `plugin "${name}" was built for plugin API ${value.apiVersion}; ` +
        `this core accepts ${ours}.x (it has ${PLUGIN_API_VERSION})`,
    };
  }
  return { ok: true, plugin: value };
}

// ---------------------------------------------------------------------------

const NEEDS = {
  sources: ['fetch', 'capabilities'],
  transforms: ['create'],
  stores: ['open', 'capabilities'],
} as const;

function missingFields(plugin: Plugin): string[] {
  const missing: string[] = [];
  if (typeof plugin.name !== 'string' || plugin.name === '') {
    missing.push('no "name"');
  }
  if (
    typeof plugin.apiVersion !== 'string' ||
    !/^\d+\.\d+\.\d+/.test(plugin.apiVersion)
  ) {
    missing.push('"apiVersion" is not a semver version');
  }
  for (const kind of ['sources', 'transforms', 'stores'] as const) {
    const list: unknown = plugin[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      missing.push(`"${kind}" is not a list`);
      continue;
    }
    list.forEach((definition: Record<string, unknown>, i) => {
      const label = `${kind}[${i}]`;
      if (typeof definition?.name !== 'string' || definition.name === '') {
        missing.push(`${label} has no "name"`);
      }
      if (
        typeof definition?.schema !== 'object' ||
        definition.schema === null
      ) {
        missing.push(`${label} has no JSON "schema"`);
      }
      for (const field of NEEDS[kind]) {
        if (definition?.[field] === undefined) {
          missing.push(`${label} has no "${field}"`);
        }
      }
    });
  }
  return missing;
}
