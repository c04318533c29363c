import { byPosition, type Diagnostic } from '../errors/diagnostic.ts';
import type { LoadedDocument } from '../loader/document.ts';
import { parseDuration } from '../loader/duration.ts';
import {
  PIPELINE_DEFAULTS,
  type PipelineSpec,
  type ScheduleSpec,
  type StepSpec,
  type WindowSpec,
} from '../model/pipeline.ts';
import { compileSchema } from './ajv.ts';
import { isFields, pipelineChecks } from './checks.ts';
import type { FileReport, ValidationContext } from './context.ts';
import { parseIsoTime } from './formats.ts';
import { redact } from './redact.ts';
import { schemaDiagnostics } from './schema-errors.ts';
import { pipelineSchema } from './schemas.ts';
import { checkStep, isPlaceholder } from './steps.ts';

/** The shape of a pipeline file once the schema accepts it. */
interface PipelineFile {
  name: string;
  description?: string;
  schedule?: string;
  interval?: string;
  timezone?: string;
  enabled?: boolean;
  window?: {
    last?: string;
    from?: string;
    to?: string;
    start_block?: number;
    end_block?: number;
  };
  source: { use: string; batch_size?: number; with?: Record<string, unknown> };
  transform?: Array<{ use: string; with?: Record<string, unknown> }>;
  store?: { use: string; with?: Record<string, unknown> };
  max_retries?: number;
  timeout?: string;
  concurrency?: number;
}

/** Validates a loaded pipeline file and builds its PipelineSpec. */
export function validatePipelineDocument(
  doc: LoadedDocument,
  ctx: ValidationContext = {},
): FileReport {
  const report: FileReport = {
    file: doc.file,
    kind: 'pipeline',
    valid: false,
    diagnostics: [...doc.diagnostics],
    pipelines: [],
    skipped: [],
  };
  if (doc.fatal) return report;

  const validate = compileSchema(pipelineSchema);
  if (!validate(doc.value)) {
    report.diagnostics.push(
      ...schemaDiagnostics(validate.errors, {
        file: doc.file,
        base: '',
        locate: doc.locate,
      }).filter((d) => !isPlaceholder(d.pointer, doc)),
    );
  }
  const value = doc.value;
  if (!isFields(value)) return finish(report, doc);
  report.diagnostics.push(...pipelineChecks(doc, value));

  const file = value as unknown as PipelineFile;
  const steps = pipelineSteps(file).map((step) =>
    checkStep(step.kind, step.use, step.with, step.place, doc, ctx),
  );
  for (const step of steps) report.diagnostics.push(...step.diagnostics);

  finish(report, doc);
  if (report.valid) {
    const spec = toSpec(file, doc, ctx);
    const owners = steps.map((s) => s.plugin?.plugin.name);
    if (owners[0]) spec.source.plugin = owners[0];
    spec.transform.forEach((t, i) => {
      const owner = owners[i + 1];
      if (owner) t.plugin = owner;
    });
    const storeOwner = owners[spec.transform.length + 1];
    if (storeOwner) spec.store.plugin = storeOwner;
    report.pipelines.push(spec);
    if (!spec.enabled) {
      report.skipped.push({
        name: spec.name,
        pointer: '/enabled',
        ...doc.locate('/enabled'),
      });
    }
  }
  return report;
}

/** Sorts, redacts and settles `valid`. */
export function finish(report: FileReport, doc: LoadedDocument): FileReport {
  report.diagnostics = redact(report.diagnostics, doc.secrets).sort(byPosition);
  report.valid = !report.diagnostics.some((d) => d.severity === 'error');
  return report;
}

// ---------------------------------------------------------------------------

function pipelineSteps(file: PipelineFile) {
  const source = isFields(file.source) ? file.source : undefined;
  const steps: Array<{
    kind: 'source' | 'transform' | 'store';
    use: unknown;
    with: unknown;
    place: { use: string; with: string };
  }> = [];
  if (source) {
    steps.push({
      kind: 'source',
      use: source.use,
      with: source.with,
      place: { use: '/source/use', with: '/source/with' },
    });
  }
  if (Array.isArray(file.transform)) {
    file.transform.forEach((step, i) => {
      if (!isFields(step)) return;
      steps.push({
        kind: 'transform',
        use: step.use,
        with: step.with,
        place: { use: `/transform/${i}/use`, with: `/transform/${i}/with` },
      });
    });
  }
  // A store from the host config is checked once, in the config file.
  if (isFields(file.store)) {
    steps.push({
      kind: 'store',
      use: file.store.use,
      with: file.store.with,
      place: { use: '/store/use', with: '/store/with' },
    });
  }
  return steps;
}

function toSpec(
  file: PipelineFile,
  doc: LoadedDocument,
  ctx: ValidationContext,
): PipelineSpec {
  const defaults = ctx.config?.defaults ?? {};
  const store = file.store ?? ctx.config?.store ?? PIPELINE_DEFAULTS.store;
  const timeout = file.timeout ?? defaults.timeout;
  const spec: PipelineSpec = {
    name: file.name,
    enabled: file.enabled ?? true,
    schedule: scheduleOf(file, defaults),
    window: windowOf(file.window),
    source: {
      use: file.source.use,
      with: file.source.with ?? {},
      batchSize:
        file.source.batch_size ??
        defaults.batch_size ??
        PIPELINE_DEFAULTS.batchSize,
    },
    transform: (file.transform ?? []).map(
      (t): StepSpec => ({ use: t.use, with: t.with ?? {} }),
    ),
    store: { use: store.use, with: { ...(store.with ?? {}) } },
    maxRetries:
      file.max_retries ?? defaults.max_retries ?? PIPELINE_DEFAULTS.maxRetries,
    concurrency:
      file.concurrency ?? defaults.concurrency ?? PIPELINE_DEFAULTS.concurrency,
    secrets: doc.secrets,
    origin: { file: doc.file, kind: 'pipeline' },
  };
  if (file.description !== undefined) spec.description = file.description;
  if (timeout !== undefined) spec.timeoutMs = parseDuration(timeout)!;
  return spec;
}

function scheduleOf(
  file: PipelineFile,
  defaults: NonNullable<ValidationContext['config']>['defaults'] = {},
): ScheduleSpec {
  const timezone = file.timezone ?? defaults.timezone;
  if (file.schedule !== undefined) {
    return { cron: file.schedule, ...(timezone ? { timezone } : {}) };
  }
  const interval = file.interval ?? defaults.interval;
  return {
    intervalMs:
      (interval && parseDuration(interval)) || PIPELINE_DEFAULTS.intervalMs,
  };
}

/** The model of a window the schema and checks have accepted. */
export function windowOf(window: PipelineFile['window']): WindowSpec | null {
  if (!window) return null;
  if (window.last !== undefined) {
    return { kind: 'last', durationMs: parseDuration(window.last)! };
  }
  if (window.from !== undefined && window.to !== undefined) {
    return {
      kind: 'time',
      from: new Date(parseIsoTime(window.from)!).toISOString(),
      to: new Date(parseIsoTime(window.to)!).toISOString(),
    };
  }
  if (window.start_block !== undefined && window.end_block !== undefined) {
    return { kind: 'slot', start: window.start_block, end: window.end_block };
  }
  return null;
}

export type { Diagnostic };
