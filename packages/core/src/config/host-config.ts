import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig';

import type { Diagnostic } from '../errors/diagnostic.ts';
import {
  type LoadedDocument,
  loadFile,
  type Place,
} from '../loader/document.ts';
import type { EnvOptions } from '../loader/env.ts';
import { compileSchema } from '../validate/ajv.ts';
import { schemaDiagnostics } from '../validate/schema-errors.ts';
import { configSchema } from '../validate/schemas.ts';

/** The host config's values, as config.schema.json describes them. */
export interface HostConfigValues {
  plugins?: string[];
  pipelines?: string;
  program_aliases?: Record<string, string>;
  store?: { use: string; with?: Record<string, unknown> };
  defaults?: {
    batch_size?: number;
    max_retries?: number;
    timeout?: string;
    concurrency?: number;
    interval?: string;
    timezone?: string;
  };
  settings?: Record<string, Record<string, unknown>>;
}

/** The host repository's config file, found by cosmiconfig, checked. */
export interface HostConfig {
  /** Absolute path of the file; null when there is none. */
  file: string | null;
  /** The file's folder (plugins and `pipelines` resolve from it), or cwd. */
  dir: string;
  /** The values; empty when the file is invalid. */
  values: HostConfigValues;
  diagnostics: Diagnostic[];
  /** Values `${VAR}` resolved to in the file. */
  secrets: string[];
  /** Where a pointer of the config is in its file (0:0 for JS files). */
  locate(pointer: string): Place;
}

export interface HostConfigOptions extends EnvOptions {
  cwd: string;
  /** An explicit config file instead of the search. */
  file?: string;
}

/** The file names searched, in order, in each folder up to the project. */
export const CONFIG_SEARCH_PLACES = [
  'package.json',
  '.backfillrc',
  '.backfillrc.json',
  '.backfillrc.yaml',
  '.backfillrc.yml',
  '.backfillrc.js',
  '.backfillrc.ts',
  '.backfillrc.mjs',
  '.backfillrc.cjs',
  'backfill.config.js',
  'backfill.config.ts',
  'backfill.config.mjs',
  'backfill.config.cjs',
  'backfill.config.json',
  'backfill.config.yaml',
  'backfill.config.yml',
];

/** Finds (or loads the given) host config and validates it. */
export async function loadHostConfig(
  options: HostConfigOptions,
): Promise<HostConfig> {
  const documents = new Map<string, LoadedDocument>();
  const textLoader: Loader = async (filepath) => {
    const doc = await loadFile(filepath, options, filepath);
    documents.set(filepath, doc);
    return doc.value ?? {};
  };
  const explorer = cosmiconfig('backfill', {
    searchPlaces: CONFIG_SEARCH_PLACES,
    searchStrategy: 'project',
    cache: false,
    loaders: {
      '.json': textLoader,
      '.yaml': textLoader,
      '.yml': textLoader,
      noExt: textLoader,
      '.ts': loadTypeScript,
    },
  });

  const cwd = resolve(options.cwd);
  let result: Awaited<ReturnType<typeof explorer.search>>;
  try {
    result = options.file
      ? await explorer.load(resolve(cwd, options.file))
      : await explorer.search(cwd);
  } catch (error) {
    const file = options.file ? resolve(cwd, options.file) : cwd;
    return invalid(file, cwd, {
      code: 'CONFIG_INVALID',
      severity: 'error',
      message: `cannot load the host config: ${(error as Error).message}`,
      file,
      line: 0,
      column: 0,
      pointer: '',
      ...((error as Error).stack ? { stack: (error as Error).stack } : {}),
    });
  }
  if (!result) return empty(cwd);

  const file = result.filepath;
  const doc = documents.get(file);
  const base = basename(file) === 'package.json' ? '/backfill' : '';
  if (doc?.fatal) return invalid(file, dirname(file), ...doc.diagnostics);

  const locate = (pointer: string): Place =>
    doc ? doc.locate(base + pointer, 'value') : { line: 0, column: 0 };
  const value = (result.config ?? {}) as unknown;
  const validate = compileSchema(configSchema);
  const diagnostics: Diagnostic[] = [...(doc?.diagnostics ?? [])];
  if (!validate(value)) {
    diagnostics.push(
      ...schemaDiagnostics(validate.errors, {
        file,
        base,
        locate: doc
          ? (p, part) => doc.locate(p, part)
          : () => ({ line: 0, column: 0 }),
      }),
    );
  }
  return {
    file,
    dir: dirname(file),
    values: soundPart(value, diagnostics, base),
    diagnostics,
    secrets: doc?.secrets ?? [],
    locate,
  };
}

// ---------------------------------------------------------------------------

async function loadTypeScript(filepath: string, content: string) {
  // Under tsx (the CLI) or vitest, TypeScript imports natively; elsewhere
  // cosmiconfig's own loader compiles it with the typescript package.
  try {
    const module = await import(pathToFileURL(filepath).href);
    return module.default ?? module;
  } catch (error) {
    if (extname(filepath) !== '.ts') throw error;
    return defaultLoaders['.ts'](filepath, content);
  }
}

/**
 * The top-level keys without an error: one bad alias should not also
 * unload the plugins (and turn every `use:` into a second error).
 */
function soundPart(
  value: unknown,
  diagnostics: Diagnostic[],
  base: string,
): HostConfigValues {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {};
  }
  const bad = (key: string) =>
    diagnostics.some(
      (d) =>
        d.severity === 'error' &&
        (d.pointer === base || d.pointer.startsWith(`${base}/${key}`)),
    );
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => !bad(key)),
  ) as HostConfigValues;
}

function empty(cwd: string): HostConfig {
  return {
    file: null,
    dir: cwd,
    values: {},
    diagnostics: [],
    secrets: [],
    locate: () => ({ line: 0, column: 0 }),
  };
}

function invalid(file: string, dir: string, ...diagnostics: Diagnostic[]) {
  return { ...empty(dir), file, diagnostics };
}
