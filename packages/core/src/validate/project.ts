import { existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';

import { type HostConfig, loadHostConfig } from '../config/host-config.ts';
import {
  BackfillError,
  byPosition,
  type Diagnostic,
} from '../errors/diagnostic.ts';
import { quote } from '../errors/quote.ts';
import { type LoadedDocument, loadFile, loadText } from '../loader/document.ts';
import { documentKind } from '../loader/kind.ts';
import { childPointer } from '../loader/pointer.ts';
import type { PipelineSpec } from '../model/pipeline.ts';
import {
  type LoadedPluginRegistry,
  loadPluginRegistry,
} from '../plugins/registry.ts';
import { isFields } from './checks.ts';
import type { FileReport, ValidationContext } from './context.ts';
import { validateJobListDocument } from './job-list.ts';
import { validatePipelineDocument } from './pipeline.ts';
import { redact } from './redact.ts';
import { checkStep } from './steps.ts';

/** What to load: pipeline paths, a job list, `BACKFILL_JOBS`, plugins. */
export interface LoadProjectOptions {
  /** The working folder. Default: process.cwd(). */
  cwd?: string;
  /**
   * Pipeline files and folders (a folder: its .yaml, .yml and .json files).
   * Undefined: the host config's `pipelines` folder, else ./pipelines.
   * A file shaped like a job list is read as one.
   */
  paths?: string[];
  /** A job-list file in the older format (`--config`). */
  jobList?: string;
  /** Also load the jobs of `BACKFILL_JOBS` when it is set. */
  jobsFromEnv?: boolean;
  /** The environment `${VAR}` reads. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Treat every `${VAR}` as set: check structure only. */
  noEnv?: boolean;
  /** An explicit host config file instead of cosmiconfig's search. */
  configFile?: string;
  /** Plugin packages shipped with the caller, and the folder they resolve from. */
  bundledPlugins?: { names: string[]; from: string };
}

/** A loaded, validated project. */
export interface Project {
  config: HostConfig;
  registry: LoadedPluginRegistry;
  /**
   * One report per input, in order; the host config and plugins that
   * failed to load get a report of their own first.
   */
  files: FileReport[];
  /** The pipelines of every valid input, disabled ones included. */
  pipelines: PipelineSpec[];
  /** True when no input has an error. */
  ok: boolean;
}

/** The `file` of diagnostics about the `BACKFILL_JOBS` variable. */
export const JOBS_VARIABLE = '$BACKFILL_JOBS';
const PIPELINE_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Loads and validates everything a run or `validate` needs: the host
 * config, the plugins, then each pipeline file, job list and
 * `BACKFILL_JOBS`. Never throws for a mistake in a file (that is a
 * report); throws a BackfillError `PATH_NOT_FOUND` for a path that does
 * not exist, which is a usage error.
 */
export async function loadProject(
  options: LoadProjectOptions = {},
): Promise<Project> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const envOptions = { env: options.env ?? process.env, noEnv: options.noEnv };
  const config = await loadHostConfig({
    cwd,
    ...envOptions,
    ...(options.configFile ? { file: options.configFile } : {}),
  });
  const registry = await loadPluginRegistry({
    cwd,
    ...(options.bundledPlugins
      ? {
          bundled: options.bundledPlugins.names,
          bundledFrom: options.bundledPlugins.from,
        }
      : {}),
    ...(config.file && config.values.plugins
      ? {
          config: {
            file: config.file,
            dir: config.dir,
            plugins: config.values.plugins,
            locate: config.locate,
          },
        }
      : {}),
  });
  const ctx: ValidationContext = { registry, config: config.values };

  const inputs = await listInputs(options, config, cwd);
  const empty = inputs.flatMap((i) =>
    i.kind === 'empty-folder' ? [emptyFolder(i.display)] : [],
  );
  const reports = await Promise.all(
    inputs
      .flatMap((i) => (i.kind === 'empty-folder' ? [] : [i]))
      .map(async (input) => {
        const doc =
          input.kind === 'environment'
            ? loadText(input.text, JOBS_VARIABLE, { ...envOptions, json: true })
            : await loadFile(input.path, envOptions, input.display);
        return { doc, report: validateDocument(doc, ctx, input.kind) };
      }),
  );
  flagDuplicateNames(reports);

  const files = [
    ...setupReports(config, registry, ctx),
    ...empty,
    ...reports.map((r) => r.report),
  ];
  const pipelines = files.filter((f) => f.valid).flatMap((f) => f.pipelines);
  // A default store or plugin settings from the host config may carry its
  // own resolved variables: every pipeline redacts them too.
  for (const spec of pipelines) {
    spec.secrets = [...new Set([...spec.secrets, ...config.secrets])];
  }
  return {
    config,
    registry,
    files,
    pipelines,
    ok: files.every((f) => f.valid),
  };
}

/** Validates one loaded document as a pipeline or a job list. */
export function validateDocument(
  doc: LoadedDocument,
  ctx: ValidationContext,
  kind: 'pipeline' | 'job-list' | 'environment' | 'auto' = 'auto',
): FileReport {
  const shape =
    kind === 'auto' ? (doc.fatal ? 'pipeline' : documentKind(doc.value)) : kind;
  const report =
    shape === 'pipeline'
      ? validatePipelineDocument(doc, ctx)
      : validateJobListDocument(doc, ctx, shape);
  if (!report.valid) report.declared = declaredNames(doc.value, shape);
  return report;
}

/** The string names of a document's pipeline or jobs, valid or not. */
function declaredNames(
  value: unknown,
  shape: 'pipeline' | 'job-list' | 'environment',
): string[] {
  const jobs = Array.isArray(value) ? value : isFields(value) && value.jobs;
  const items =
    shape === 'pipeline' ? [value] : Array.isArray(jobs) ? jobs : [];
  return items
    .map((item) => (isFields(item) ? item.name : undefined))
    .filter((name): name is string => typeof name === 'string');
}

// ---------------------------------------------------------------------------

type Input =
  | { kind: 'auto' | 'job-list'; path: string; display: string }
  | { kind: 'environment'; text: string }
  | { kind: 'empty-folder'; display: string };

async function listInputs(
  options: LoadProjectOptions,
  config: HostConfig,
  cwd: string,
): Promise<Input[]> {
  const inputs: Input[] = [];
  let paths = options.paths;
  if (paths === undefined) {
    const folder = config.values.pipelines
      ? resolve(config.dir, config.values.pipelines)
      : resolve(cwd, 'pipelines');
    // A BACKFILL_JOBS project, as the older service ran, needs no folder.
    const envOnly = fromEnv(options) !== undefined && !existsSync(folder);
    paths = options.jobList || envOnly ? [] : [folder];
  }
  // One file named twice (`x.yaml ./x.yaml`, a folder and a file in it, a
  // link) is loaded once: twice would run it twice, or flag it as its own
  // duplicate.
  const seen = new Set<string>();
  const once = async (path: string) => {
    const real = await realpath(path).catch(() => path);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  };
  for (const path of paths) {
    const files = await expand(resolve(cwd, path), path);
    // A folder named on the command line is meant to hold pipelines; the
    // default folder may be empty in a BACKFILL_JOBS project.
    if (files.length === 0 && options.paths !== undefined) {
      inputs.push({ kind: 'empty-folder', display: path });
    }
    for (const file of files) {
      if (!(await once(file.path))) continue;
      inputs.push({ kind: 'auto', path: file.path, display: file.display });
    }
  }
  if (options.jobList) {
    const path = resolve(cwd, options.jobList);
    await mustExist(path, options.jobList);
    if (await once(path)) {
      inputs.push({ kind: 'job-list', path, display: options.jobList });
    }
  }
  const jobs = fromEnv(options);
  if (jobs !== undefined) inputs.push({ kind: 'environment', text: jobs });
  return inputs;
}

/** `BACKFILL_JOBS` when it is to be read and holds something. */
function fromEnv(options: LoadProjectOptions): string | undefined {
  const jobs = (options.env ?? process.env).BACKFILL_JOBS;
  return options.jobsFromEnv && jobs !== undefined && jobs.trim() !== ''
    ? jobs
    : undefined;
}

async function expand(path: string, display: string) {
  const info = await mustExist(path, display);
  if (!info.isDirectory()) return [{ path, display }];
  const names = (await readdir(path))
    .filter((n) => PIPELINE_EXTENSIONS.has(extname(n)) && !n.startsWith('.'))
    .sort();
  return names.map((n) => ({ path: join(path, n), display: join(display, n) }));
}

async function mustExist(path: string, display: string) {
  try {
    return await stat(path);
  } catch {
    throw new BackfillError(
      `no such file or folder: ${display}`,
      'PATH_NOT_FOUND',
    );
  }
}

/** The report of a folder given as a path that holds no pipeline file. */
function emptyFolder(display: string): FileReport {
  return {
    file: display,
    kind: 'pipeline',
    valid: false,
    diagnostics: [
      {
        code: 'EMPTY_FOLDER',
        severity: 'error',
        message:
          `folder ${display} holds no pipeline files ` +
          '(.yaml, .yml or .json): nothing to check or run',
        file: display,
        line: 0,
        column: 0,
        pointer: '',
        hint: 'name the folder that holds the pipelines, or the files',
      },
    ],
    pipelines: [],
    skipped: [],
  };
}

/** Pipeline names are the key of leases and the ledger: one per project. */
function flagDuplicateNames(
  reports: Array<{ doc: LoadedDocument; report: FileReport }>,
): void {
  const seen = new Map<string, string>();
  for (const { doc, report } of reports) {
    for (const spec of report.pipelines) {
      const first = seen.get(spec.name);
      if (first === undefined) {
        seen.set(spec.name, doc.file);
        continue;
      }
      if (first === doc.file) continue; // a job list flags its own
      const pointer = childPointer(spec.origin.pointer ?? '', 'name');
      report.diagnostics.push({
        code: 'DUPLICATE_PIPELINE',
        severity: 'error',
        message: `pipeline name ${quote(spec.name)} is already used in ${first}`,
        file: doc.file,
        ...doc.locate(pointer),
        pointer,
        hint: 'pipeline names key the ledger and leases; rename one',
      });
    }
    if (report.diagnostics.some((d) => d.code === 'DUPLICATE_PIPELINE')) {
      report.diagnostics.sort(byPosition);
      report.valid = false;
      report.pipelines = [];
      report.skipped = [];
    }
  }
}

/** Reports for the host config and for plugins that failed to load. */
function setupReports(
  config: HostConfig,
  registry: LoadedPluginRegistry,
  ctx: ValidationContext,
): FileReport[] {
  const byFile = new Map<string, Diagnostic[]>();
  const add = (d: Diagnostic) =>
    byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  config.diagnostics.forEach(add);
  registry.diagnostics.forEach(add);

  const store = config.values.store;
  if (config.file && store) {
    const doc = {
      file: config.file,
      locate: config.locate,
      placeholders: new Set<string>(),
    } as unknown as LoadedDocument;
    checkStep(
      'store',
      store.use,
      store.with,
      { use: '/store/use', with: '/store/with' },
      doc,
      ctx,
    ).diagnostics.forEach(add);
  }

  return [...byFile].map(([file, diagnostics]) => {
    const sorted = redact(diagnostics, config.secrets).sort(byPosition);
    return {
      file,
      kind: 'config' as const,
      valid: !sorted.some((d) => d.severity === 'error'),
      diagnostics: sorted,
      pipelines: [],
      skipped: [],
    };
  });
}
