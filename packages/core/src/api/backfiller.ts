import type { Logger } from '@backfill/plugin-kit';
import { silentLogger } from '@backfill/plugin-kit';

import { messageOf } from '../engine/errors.ts';
import type { Hooks } from '../engine/hooks.ts';
import { runPipeline, tappedHooks } from '../engine/runner.ts';
import { BackfillError } from '../errors/diagnostic.ts';
import { tapMetrics } from '../metrics/engine-taps.ts';
import {
  PIPELINE_DEFAULTS,
  type PipelineSpec,
  type StepSpec,
} from '../model/pipeline.ts';
import { LoadedPluginRegistry } from '../plugins/registry.ts';
import { systemClock as sleepClock } from '../retry/clock.ts';
import type { Clock } from '../scheduler/clock.ts';
import { systemClock } from '../scheduler/clock.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { statusOf } from '../status/open-state.ts';
import type { StatusReport } from '../status/report.ts';
import { builtinTransforms } from '../transforms/index.ts';
import { type CustomJob, customJobSpec } from './custom-job.ts';
import { defaultJobs } from './default-jobs.ts';
import {
  type JobContext,
  jobsFromCode,
  jobsFromEnv,
  jobsFromFile,
} from './jobs.ts';
import type { BackfillerOptions, JobResult, ScheduledJob } from './options.ts';
import {
  type BackfillerStatus,
  backfillerStatus,
  type JobProgress,
  progressOf,
  runsOf,
} from './status.ts';

/** Creates a backfiller: the older service's entry point, on the engine. */
export function createBackfiller(options: BackfillerOptions): Backfiller {
  return new Backfiller(options);
}

/**
 * Jobs, their runs and their schedule, for code ported from the older
 * service. Every run goes through the engine (ledger, lease, retries), so
 * a job run here and by `backfill run` share their progress.
 */
export class Backfiller {
  readonly #options: BackfillerOptions;
  readonly #registry: LoadedPluginRegistry;
  readonly #hooks: Hooks;
  readonly #store: StepSpec;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #jobs = new Map<string, PipelineSpec>();
  #scheduler: Scheduler | null = null;

  constructor(options: BackfillerOptions) {
    this.#options = options;
    this.#registry = new LoadedPluginRegistry(
      [...options.plugins, builtinTransforms].map((plugin) => ({
        plugin,
        request: plugin.name,
        origin: 'config' as const,
      })),
    );
    this.#store = options.store ?? { ...PIPELINE_DEFAULTS.store, with: {} };
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#hooks = tappedHooks(this.#registry);
    if (options.metrics) {
      tapMetrics(this.#hooks, options.metrics, {
        sourceOf: (name) => this.#jobs.get(name)?.source.use ?? 'unknown',
        now: () => this.#clock.now(),
      });
    }
    if (options.defaultJobs ?? true) {
      for (const job of defaultJobs()) this.#add(this.#onStore(job));
    }
  }

  /** Every job, in the order added: defaults first. */
  jobs(): PipelineSpec[] {
    return [...this.#jobs.values()];
  }

  /**
   * Adds the jobs of a job-list file and/or of `BACKFILL_JOBS`, checked
   * as `backfill validate` checks them; throws API_INVALID_JOBS with the
   * diagnostics when one is wrong, adding none.
   */
  async loadJobs(from: { file?: string; env?: boolean }): Promise<string[]> {
    const found = [
      ...(from.file ? await jobsFromFile(from.file, this.#jobContext()) : []),
      ...(from.env ? jobsFromEnv(this.#jobContext()) : []),
    ];
    return this.#addAll(found.map((job) => this.#onStore(job)));
  }

  /** Registers a custom job; it runs with the default jobs. */
  registerJob(job: CustomJob): PipelineSpec {
    const spec = customJobSpec(job, this.#store);
    this.#registry.source(spec.source.use); // unknown source: throw now
    this.#addAll([spec]);
    return spec;
  }

  /** Registers a job on a cron schedule, in the older job-list shape. */
  scheduleJob(job: ScheduledJob): PipelineSpec {
    const [spec] = jobsFromCode(
      [
        {
          name: job.name,
          schedule: job.cron,
          request: job.request,
          ...(job.description ? { description: job.description } : {}),
        },
      ],
      this.#jobContext(),
    ) as [PipelineSpec];
    this.#addAll([this.#onStore(spec)]);
    return spec;
  }

  /** Runs every enabled job once over its window, one after another. */
  async runLatest(): Promise<JobResult[]> {
    const results: JobResult[] = [];
    for (const job of this.jobs()) {
      if (job.enabled) results.push(await this.#run(job));
    }
    return results;
  }

  /**
   * Runs one job now, by name or by source (`chain` runs the built-in
   * chain job, as `backfill run --run-once --source chain` does).
   */
  async runOnce(nameOrSource: string): Promise<JobResult> {
    const job =
      this.#jobs.get(nameOrSource) ??
      this.jobs().find((j) => j.source.use === nameOrSource);
    if (!job) {
      throw new BackfillError(
        `no job named or reading "${nameOrSource}" (known: ` +
          `${[...this.#jobs.keys()].join(', ') || 'none'})`,
        'API_UNKNOWN_JOB',
      );
    }
    return this.#run(job);
  }

  /**
   * Starts the schedule: each enabled job runs on its cron or interval,
   * an interval counting from the job's last run in the ledger. Ticks
   * missed while the program was down are skipped (catch-up `none`).
   */
  async start(): Promise<void> {
    const jobs = this.jobs().filter((j) => j.enabled);
    const lastRunAt = await this.#lastRuns();
    this.#scheduler ??= new Scheduler({
      clock: this.#clock,
      run: (tick) => this.#run(this.#jobs.get(tick.pipeline)!),
      onRunError: (pipeline, error) =>
        this.#logger.error({ pipeline, err: error }, 'scheduled run failed'),
    });
    this.#scheduler.update(
      jobs.map((j) => ({
        name: j.name,
        schedule: j.schedule,
        place: j.origin.file,
        lastRunAt: lastRunAt.get(j.name) ?? null,
      })),
    );
  }

  /** Stops the schedule and waits for the runs it started. */
  async stop(): Promise<void> {
    const scheduler = this.#scheduler;
    this.#scheduler = null;
    scheduler?.stop();
    await scheduler?.idle();
  }

  /** Active, completed and failed runs, scheduled count, last/next run. */
  async status(): Promise<BackfillerStatus> {
    const enabled = this.jobs().filter((j) => j.enabled);
    const report = await this.#report();
    return backfillerStatus(
      report,
      enabled.map((j) => j.name),
      enabled.length,
      this.#scheduler,
    );
  }

  /** The progress of a run (by id) or of a job's newest run (by name). */
  async progress(jobOrRunId: string): Promise<JobProgress | null> {
    return progressOf(runsOf(await this.#report()), jobOrRunId);
  }

  // -------------------------------------------------------------------------

  async #run(job: PipelineSpec): Promise<JobResult> {
    try {
      return await runPipeline(job, {
        registry: this.#registry,
        cwd: this.#cwd(),
        logger: this.#logger,
        hooks: this.#hooks,
        clock: { now: () => this.#clock.now(), sleep: sleepClock.sleep },
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.#logger.error({ pipeline: job.name, err: error }, 'run failed');
      return {
        pipeline: job.name,
        status: 'failed',
        error: {
          code: typeof code === 'string' ? code : 'RUN_FAILED',
          message: messageOf(error),
        },
      };
    }
  }

  #report(): Promise<StatusReport> {
    return statusOf(this.jobs(), {
      registry: this.#registry,
      cwd: this.#cwd(),
      now: this.#clock.now(),
    });
  }

  /** When each job's newest run started, from the ledger (ms). */
  async #lastRuns(): Promise<Map<string, number>> {
    const last = new Map<string, number>();
    for (const run of runsOf(await this.#report())) {
      const at = Date.parse(run.startedAt);
      if (at > (last.get(run.pipeline) ?? -1)) last.set(run.pipeline, at);
    }
    return last;
  }

  #jobContext(): JobContext {
    return {
      validation: { registry: this.#registry },
      env: this.#options.env ?? process.env,
    };
  }

  /** Jobs from lists and defaults write to the backfiller's store. */
  #onStore(job: PipelineSpec): PipelineSpec {
    return { ...job, store: this.#store };
  }

  #addAll(jobs: PipelineSpec[]): string[] {
    for (const job of jobs) {
      if (this.#jobs.has(job.name)) {
        throw new BackfillError(
          `a job named "${job.name}" is already registered; ` +
            'job names key the ledger and leases: rename one',
          'API_DUPLICATE_JOB',
        );
      }
    }
    for (const job of jobs) this.#add(job);
    return jobs.map((j) => j.name);
  }

  #add(job: PipelineSpec): void {
    this.#jobs.set(job.name, job);
  }

  #cwd(): string {
    return this.#options.cwd ?? process.cwd();
  }
}
