import {
  PIPELINE_DEFAULTS,
  type PipelineSpec,
  type StepSpec,
  type WindowSpec,
} from '../model/pipeline.ts';

/**
 * A job registered from code: any source the backfiller's plugins
 * provide. Like the older service's custom jobs it runs with the default
 * jobs, every default interval over the latest window, unless it says
 * otherwise.
 */
export interface CustomJob {
  name: string;
  description?: string;
  source: { use: string; with?: Record<string, unknown>; batchSize?: number };
  /** Default: the latest default interval (6h) at each run. */
  window?: WindowSpec | null;
  transform?: Array<{ use: string; with?: Record<string, unknown> }>;
  /** Default: the backfiller's store. */
  store?: StepSpec;
  /** A cron expression; default every default interval. */
  cron?: string;
  maxRetries?: number;
  timeoutMs?: number;
  concurrency?: number;
}

/** The pipeline a custom job stands for. */
export function customJobSpec(job: CustomJob, store: StepSpec): PipelineSpec {
  return {
    name: job.name,
    ...(job.description ? { description: job.description } : {}),
    enabled: true,
    schedule: job.cron
      ? { cron: job.cron }
      : { intervalMs: PIPELINE_DEFAULTS.intervalMs },
    window: job.window ?? null,
    source: {
      use: job.source.use,
      with: job.source.with ?? {},
      batchSize: job.source.batchSize ?? PIPELINE_DEFAULTS.batchSize,
    },
    transform: (job.transform ?? []).map((t) => ({
      use: t.use,
      with: t.with ?? {},
    })),
    store: job.store ?? store,
    maxRetries: job.maxRetries ?? PIPELINE_DEFAULTS.maxRetries,
    ...(job.timeoutMs === undefined ? {} : { timeoutMs: job.timeoutMs }),
    concurrency: job.concurrency ?? PIPELINE_DEFAULTS.concurrency,
    secrets: [],
    origin: { file: `<code: ${job.name}>`, kind: 'code' },
  };
}
