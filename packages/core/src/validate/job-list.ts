import type { Diagnostic } from '../errors/diagnostic.ts';
import { quote } from '../errors/quote.ts';
import type { LoadedDocument } from '../loader/document.ts';
import { parseDuration } from '../loader/duration.ts';
import { childPointer } from '../loader/pointer.ts';
import { PIPELINE_DEFAULTS, type PipelineSpec } from '../model/pipeline.ts';
import { compileSchema } from './ajv.ts';
import { cronChecks, isFields, rangeChecks } from './checks.ts';
import type { FileReport, ValidationContext } from './context.ts';
import { finish } from './pipeline.ts';
import { schemaDiagnostics } from './schema-errors.ts';
import { jobListSchema } from './schemas.ts';
import { checkStep, isPlaceholder } from './steps.ts';

/** `request.source` of the older format, and where its parameters live. */
const PARAMS_KEY = {
  chain: 'chain_params',
  glacier: 'glacier_params',
  'off-chain': 'off_chain_params',
} as const;

type SourceName = keyof typeof PARAMS_KEY;

/** A bare array of jobs (the `BACKFILL_JOBS` short form). */
const BARE_LIST = { $ref: `${jobListSchema.$id}#/$defs/jobs` };

interface Job {
  name: string;
  description?: string;
  enabled?: boolean;
  schedule?: string;
  request: { source: SourceName; batch_size?: number } & Record<
    string,
    unknown
  >;
  max_retries?: number;
  timeout?: string;
}

/**
 * Validates a job list (a file, or `BACKFILL_JOBS`) and maps each job to a
 * pipeline: `request.source` becomes `source.use`, its `*_params` the
 * `with:` block, `start_block`/`end_block` the window.
 */
export function validateJobListDocument(
  doc: LoadedDocument,
  ctx: ValidationContext = {},
  kind: 'job-list' | 'environment' = 'job-list',
): FileReport {
  const report: FileReport = {
    file: doc.file,
    kind,
    valid: false,
    diagnostics: [...doc.diagnostics],
    pipelines: [],
    skipped: [],
  };
  if (doc.fatal) return report;
  if (isPipelineShaped(doc.value)) {
    report.diagnostics.push(notJobList(doc, kind));
    return finish(report, doc);
  }

  const bare = Array.isArray(doc.value);
  const base = bare ? '' : '/jobs';
  const listValidate = compileSchema(jobListSchema);
  const validate = bare ? compileSchema(BARE_LIST) : listValidate;
  if (!validate(doc.value)) {
    report.diagnostics.push(
      ...schemaDiagnostics(validate.errors, {
        file: doc.file,
        base: '',
        locate: doc.locate,
      }).filter((d) => !isPlaceholder(d.pointer, doc)),
    );
  }

  const list = bare ? doc.value : (doc.value as { jobs?: unknown })?.jobs;
  const jobs = Array.isArray(list) ? list : [];
  const defaultInterval = bare
    ? undefined
    : (doc.value as { default_interval?: unknown }).default_interval;
  const intervalMs =
    (typeof defaultInterval === 'string' && parseDuration(defaultInterval)) ||
    PIPELINE_DEFAULTS.intervalMs;

  const owners: Array<string | undefined> = [];
  const names = new Map<string, string>();
  jobs.forEach((job, i) => {
    const pointer = childPointer(base, i);
    if (!isFields(job)) return;
    const checked = jobChecks(job, pointer, doc, ctx);
    owners[i] = checked.owner;
    report.diagnostics.push(...checked.diagnostics);
    if (typeof job.name === 'string') {
      const first = names.get(job.name);
      if (first !== undefined) {
        report.diagnostics.push(duplicate(doc, job.name, pointer, first));
      } else {
        names.set(job.name, pointer);
      }
    }
  });

  finish(report, doc);
  if (!report.valid) return report;
  (jobs as Job[]).forEach((job, i) => {
    const pointer = childPointer(base, i);
    const spec = toSpec(job, pointer, intervalMs, doc, ctx, kind);
    if (owners[i]) spec.source.plugin = owners[i];
    report.pipelines.push(spec);
    if (!spec.enabled) {
      report.skipped.push({
        name: spec.name,
        pointer,
        ...doc.locate(childPointer(pointer, 'enabled')),
      });
    }
  });
  return report;
}

// ---------------------------------------------------------------------------

function jobChecks(
  job: Record<string, unknown>,
  pointer: string,
  doc: LoadedDocument,
  ctx: ValidationContext,
): { diagnostics: Diagnostic[]; owner?: string } {
  const out: Diagnostic[] = [
    ...nameChecks(doc, job.name, childPointer(pointer, 'name')),
    ...cronChecks(doc, job.schedule, childPointer(pointer, 'schedule')),
  ];
  const request = job.request;
  if (!isFields(request)) return { diagnostics: out };
  const source = request.source;
  if (typeof source !== 'string' || !Object.hasOwn(PARAMS_KEY, source)) {
    return { diagnostics: out };
  }

  const key = PARAMS_KEY[source as SourceName];
  const requestPointer = childPointer(pointer, 'request');
  const paramsPointer = childPointer(requestPointer, key);
  const params = request[key];
  if (isFields(params)) out.push(...rangeChecks(doc, params, paramsPointer));

  const step = checkStep(
    'source',
    source,
    isFields(params) ? withOf(params) : params,
    { use: childPointer(requestPointer, 'source'), with: paramsPointer },
    doc,
    ctx,
  );
  out.push(...step.diagnostics);
  return { diagnostics: out, owner: step.plugin?.plugin.name };
}

/** C0 and C1 control characters, DEL, and the Unicode line separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: what it finds
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const UNPRINTABLES = new RegExp(UNPRINTABLE.source, 'g');

/**
 * A job name is printed by run, status and the logs as it is: a control
 * character or a newline in it could forge an output line or recolour a
 * terminal. Spaces and other text are allowed, since old lists have them.
 */
function nameChecks(
  doc: LoadedDocument,
  name: unknown,
  pointer: string,
): Diagnostic[] {
  if (typeof name !== 'string') return [];
  const bad = UNPRINTABLE.exec(name);
  if (bad === null) return [];
  return [
    {
      code: 'JOB_NAME_INVALID',
      severity: 'error',
      message:
        `job name "${escaped(name)}" holds ${codePoint(bad[0])} at ` +
        `character ${bad.index + 1}: names are printed in output and ` +
        'logs, where a control character or line break could forge lines',
      file: doc.file,
      ...doc.locate(pointer),
      pointer,
      expected: 'a name without control characters or line breaks',
      hint: 'remove the character, or rename the job (e.g. "nightly-sync")',
    },
  ];
}

/** `U+001B`: how a character is named in a message. */
function codePoint(char: string): string {
  const hex = char.charCodeAt(0).toString(16).toUpperCase();
  return `U+${hex.padStart(4, '0')}`;
}

/** The name with each unprintable character as `\u001b`, safe to print. */
function escaped(name: string): string {
  const shown = name.replace(
    UNPRINTABLES,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}

/** The `with:` block of a job: its params less the range keys. */
function withOf(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'start_block' || k === 'end_block') continue;
    Object.defineProperty(out, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function toSpec(
  job: Job,
  pointer: string,
  intervalMs: number,
  doc: LoadedDocument,
  ctx: ValidationContext,
  kind: 'job-list' | 'environment',
): PipelineSpec {
  const config = ctx.config ?? {};
  const request = job.request;
  const params = (request[PARAMS_KEY[request.source]] ?? {}) as Record<
    string,
    unknown
  >;
  const start = params.start_block;
  const end = params.end_block;
  const store = config.store ?? PIPELINE_DEFAULTS.store;
  const timezone = config.defaults?.timezone;
  const spec: PipelineSpec = {
    name: job.name,
    enabled: job.enabled ?? true,
    schedule: job.schedule
      ? { cron: job.schedule, ...(timezone ? { timezone } : {}) }
      : { intervalMs },
    window:
      typeof start === 'number' && typeof end === 'number'
        ? { kind: 'slot', start, end }
        : null,
    source: {
      use: request.source,
      with: withOf(params),
      batchSize:
        request.batch_size ??
        config.defaults?.batch_size ??
        PIPELINE_DEFAULTS.batchSize,
    },
    transform: [],
    store: { use: store.use, with: { ...(store.with ?? {}) } },
    maxRetries:
      job.max_retries ??
      config.defaults?.max_retries ??
      PIPELINE_DEFAULTS.maxRetries,
    concurrency: config.defaults?.concurrency ?? PIPELINE_DEFAULTS.concurrency,
    secrets: doc.secrets,
    origin: { file: doc.file, kind, pointer },
  };
  if (job.description !== undefined) spec.description = job.description;
  const timeout = job.timeout ?? config.defaults?.timeout;
  if (timeout !== undefined) spec.timeoutMs = parseDuration(timeout)!;
  return spec;
}

/** A mapping with a pipeline's `version` or `source` and no `jobs`. */
function isPipelineShaped(value: unknown): boolean {
  return (
    isFields(value) &&
    !Object.hasOwn(value, 'jobs') &&
    (Object.hasOwn(value, 'version') || Object.hasOwn(value, 'source'))
  );
}

/** One error for a pipeline file read as a job list, not one per key. */
function notJobList(
  doc: LoadedDocument,
  kind: 'job-list' | 'environment',
): Diagnostic {
  const key = Object.hasOwn(doc.value as object, 'version')
    ? '/version'
    : '/source';
  return {
    code: 'NOT_JOB_LIST',
    severity: 'error',
    message:
      kind === 'environment'
        ? 'BACKFILL_JOBS holds a pipeline, not a job list: ' +
          'write the pipeline to a file and pass it as an argument'
        : 'this is a pipeline file: pass it as an argument, not --config',
    file: doc.file,
    ...doc.locate(key, 'key'),
    pointer: key,
    expected: 'a job list: { "jobs": [...] } or a bare array of jobs',
  };
}

function duplicate(
  doc: LoadedDocument,
  name: string,
  pointer: string,
  first: string,
): Diagnostic {
  const at = childPointer(pointer, 'name');
  return {
    code: 'DUPLICATE_PIPELINE',
    severity: 'error',
    message: `job name ${quote(name)} is already used by the job at ${first}`,
    file: doc.file,
    ...doc.locate(at),
    pointer: at,
    hint: 'job names become pipeline names and must be unique',
  };
}
