import type { Logger, Plugin } from '@backfill/plugin-kit';

import type { RunSummary } from '../engine/runner.ts';
import type { BackfillMetrics } from '../metrics/registry.ts';
import type { StepSpec } from '../model/pipeline.ts';
import type { Clock } from '../scheduler/clock.ts';
import type { JobRequest } from './jobs.ts';

export interface BackfillerOptions {
  /** The plugins that provide the jobs' sources and store. */
  plugins: Plugin[];
  /** Where every job writes unless it names its own. Default: sqlite. */
  store?: StepSpec;
  logger?: Logger;
  /** Metrics fed by every run (createMetrics()). */
  metrics?: BackfillMetrics;
  /** Relative store paths resolve against it. Default: process.cwd(). */
  cwd?: string;
  /** What `${VAR}` and `BACKFILL_JOBS` read. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The older service's built-in chain and glacier jobs. Default true. */
  defaultJobs?: boolean;
  /** The scheduler's and the runs' time; a fake clock in tests. */
  clock?: Clock;
}

/** A job that could not start (lease held, store unreachable...). */
export interface JobStartFailure {
  pipeline: string;
  status: 'failed';
  error: { code: string; message: string };
}

export type JobResult = RunSummary | JobStartFailure;

/** A scheduled job as the older service registered one. */
export interface ScheduledJob {
  name: string;
  cron: string;
  request: JobRequest;
  description?: string;
}
