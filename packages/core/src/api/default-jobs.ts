import { PIPELINE_DEFAULTS, type PipelineSpec } from '../model/pipeline.ts';

/**
 * The older service's built-in jobs, every 6 hours over the latest window
 * (DESIGN.md section 4): the chain programs marginfi and leverage on
 * mainnet, and the Glacier vault `margin-offers-archive` with retrieval on
 * at half the default batch size. `--run-once --source X` runs one.
 */
export function defaultJobs(): PipelineSpec[] {
  const base = {
    enabled: true,
    schedule: { intervalMs: PIPELINE_DEFAULTS.intervalMs },
    window: null,
    transform: [],
    store: { ...PIPELINE_DEFAULTS.store, with: {} },
    maxRetries: PIPELINE_DEFAULTS.maxRetries,
    concurrency: PIPELINE_DEFAULTS.concurrency,
    secrets: [],
  };
  return [
    {
      ...base,
      name: 'default-chain',
      description: 'Built-in job: marginfi and leverage on mainnet',
      source: {
        use: 'chain',
        batchSize: PIPELINE_DEFAULTS.batchSize,
        with: { programs: ['marginfi', 'leverage'], network: 'mainnet' },
      },
      origin: { file: '<built-in>', kind: 'code' },
    },
    {
      ...base,
      name: 'default-glacier',
      description: 'Built-in job: the margin-offers-archive vault',
      source: {
        use: 'glacier',
        batchSize: PIPELINE_DEFAULTS.batchSize / 2,
        with: { vault_name: 'margin-offers-archive', retrieval: true },
      },
      origin: { file: '<built-in>', kind: 'code' },
    },
  ];
}

/** The built-in job reading `source` (`chain`, `glacier`), if any. */
export function defaultJobFor(source: string): PipelineSpec | undefined {
  return defaultJobs().find((job) => job.source.use === source);
}
