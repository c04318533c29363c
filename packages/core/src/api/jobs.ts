import { BackfillError, formatDiagnostic } from '../errors/diagnostic.ts';
import { loadFile, loadText } from '../loader/document.ts';
import type { EnvOptions } from '../loader/env.ts';
import type { PipelineSpec } from '../model/pipeline.ts';
import type { FileReport, ValidationContext } from '../validate/context.ts';
import { JOBS_VARIABLE, validateDocument } from '../validate/project.ts';

/** `request` of a job in the older job list (DESIGN.md section 4). */
export interface JobRequest {
  source: 'chain' | 'glacier' | 'off-chain';
  batch_size?: number;
  chain_params?: Record<string, unknown>;
  glacier_params?: Record<string, unknown>;
  off_chain_params?: Record<string, unknown>;
}

/** One job of the older job list, as the older service took it. */
export interface OlderJob {
  name: string;
  description?: string;
  enabled?: boolean;
  /** A cron expression; absent means every `default_interval`. */
  schedule?: string;
  request: JobRequest;
  max_retries?: number;
  timeout?: string;
}

/** What job loading needs: the plugins to check against, the env. */
export interface JobContext {
  validation: ValidationContext;
  /** What `${VAR}` in a job reads. */
  env: EnvOptions['env'];
}

/** The jobs of a job-list file (`--config`), validated like `validate`. */
export async function jobsFromFile(
  path: string,
  ctx: JobContext,
): Promise<PipelineSpec[]> {
  const doc = await loadFile(path, { ...envOf(ctx), json: true });
  return accepted(validateDocument(doc, ctx.validation, 'job-list'));
}

/** The jobs of `BACKFILL_JOBS`; none when it is unset or blank. */
export function jobsFromEnv(ctx: JobContext): PipelineSpec[] {
  const text = ctx.env.BACKFILL_JOBS;
  if (text === undefined || text.trim() === '') return [];
  const doc = loadText(text, JOBS_VARIABLE, { ...envOf(ctx), json: true });
  return accepted(validateDocument(doc, ctx.validation, 'environment'));
}

/**
 * Jobs given in code, in the job-list shape: they go through the same
 * validation as a file, so that a mistake names the job and the field.
 */
export function jobsFromCode(
  jobs: OlderJob[],
  ctx: JobContext,
): PipelineSpec[] {
  const file = `<code: ${jobs.map((j) => j.name).join(', ')}>`;
  const doc = loadText(JSON.stringify({ jobs }, null, 2), file, {
    ...envOf(ctx),
    json: true,
  });
  const specs = accepted(validateDocument(doc, ctx.validation, 'job-list'));
  return specs.map((s) => ({ ...s, origin: { ...s.origin, kind: 'code' } }));
}

// ---------------------------------------------------------------------------

function envOf(ctx: JobContext): EnvOptions {
  return { env: ctx.env };
}

/** The pipelines of a valid report; else a BackfillError listing why. */
function accepted(report: FileReport): PipelineSpec[] {
  if (report.valid) return report.pipelines;
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  throw new BackfillError(
    `${report.file} has ${errors.length} error(s):\n` +
      errors.map((d) => `  ${formatDiagnostic(d)}`).join('\n'),
    'API_INVALID_JOBS',
    report.diagnostics,
  );
}
