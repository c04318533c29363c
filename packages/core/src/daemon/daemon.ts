import type { Logger } from '@backfill/plugin-kit';
import { silentLogger } from '@backfill/plugin-kit';

import { codeOf, messageOf } from '../engine/errors.ts';
import type { Hooks } from '../engine/hooks.ts';
import type { RunOptions } from '../engine/runner.ts';
import { runPipeline, tappedHooks } from '../engine/runner.ts';
import { BackfillError } from '../errors/diagnostic.ts';
import type { BackfillMetrics } from '../metrics/index.ts';
import {
  createMetrics,
  scheduleMetrics,
  tapMetrics,
} from '../metrics/index.ts';
import type { PipelineSpec } from '../model/pipeline.ts';
import { systemClock as engineClock } from '../retry/clock.ts';
import type { CatchUpPolicy, Clock, Tick } from '../scheduler/index.ts';
import { Scheduler, systemClock } from '../scheduler/index.ts';
import { DaemonError } from './errors.ts';
import type { HttpListener } from './http.ts';
import { listen } from './http.ts';
import { ledgerTimes, refreshChunkGauges } from './ledger.ts';
import type { DaemonProject } from './project.ts';
import type { DaemonStatus } from './status-document.ts';
import { daemonStatus } from './status-document.ts';

export interface DaemonOptions {
  /** Loads the project; called at start and on every reload. */
  load(): Promise<DaemonProject>;
  /** Relative store paths resolve against it. */
  cwd: string;
  /** Loopback port of /metrics, /status, /healthz; 0 picks a free one. */
  port: number;
  host?: string;
  catchUp?: CatchUpPolicy;
  logger?: Logger;
  clock?: Clock;
  metrics?: BackfillMetrics;
  /** After SIGTERM, runs still going after this long are abandoned. 30 s. */
  shutdownTimeoutMs?: number;
  /** Extra engine options for every run (chunk sizes, retry, ...). */
  runOptions?: Partial<RunOptions>;
}

/** How a stop ended: clean when every run wound down in time. */
export interface StopResult {
  clean: boolean;
  /** Pipelines whose run was still going at the deadline. */
  abandoned: string[];
}

/**
 * `backfill start`: runs every enabled pipeline on its schedule, never
 * two runs of one pipeline at once, and serves metrics and status.
 */
export class Daemon {
  readonly metrics: BackfillMetrics;
  readonly #options: DaemonOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  readonly #scheduler: Scheduler;
  #project: DaemonProject | null = null;
  #pipelines = new Map<string, PipelineSpec>();
  #hooks: Hooks | null = null;
  #http: HttpListener | null = null;
  #startedAt = 0;
  #reloadedAt: number | null = null;
  #stopping = false;
  /** Pipelines whose last-success gauge was seeded from the ledger. */
  readonly #seeded = new Set<string>();

  constructor(options: DaemonOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.metrics = options.metrics ?? createMetrics();
    this.#scheduler = new Scheduler({
      clock: this.#clock,
      catchUp: options.catchUp ?? 'none',
      ...scheduleMetrics(this.metrics),
      run: (tick) => this.#run(tick),
      onRunError: (pipeline, error) => this.#runFailed(pipeline, error),
    });
  }

  /** Loads the project, arms the schedule and starts serving HTTP. */
  async start(): Promise<{ port: number }> {
    this.#startedAt = this.#clock.now();
    const project = await this.#options.load();
    await this.#apply(project);

    const daemon = this;
    this.#http = await listen(
      {
        async metrics() {
          await daemon.#refreshGauges();
          return {
            contentType: daemon.metrics.registry.contentType,
            body: await daemon.metrics.registry.metrics(),
          };
        },
        status: () => daemon.status(),
        healthy: () => !daemon.#stopping,
      },
      { port: this.#options.port, host: this.#options.host ?? '127.0.0.1' },
    );
    this.#logger.info(
      {
        port: this.#http.port,
        pipelines: [...this.#pipelines.keys()],
        catchUp: this.#options.catchUp ?? 'none',
      },
      'daemon started',
    );
    return { port: this.#http.port };
  }

  /**
   * Loads the project again (SIGHUP). On any error the daemon keeps the
   * pipelines it had and logs why; runs in flight are never interrupted.
   */
  async reload(): Promise<boolean> {
    if (this.#stopping) return false;
    try {
      await this.#apply(await this.#options.load());
      this.#reloadedAt = this.#clock.now();
      this.#logger.info(
        { pipelines: [...this.#pipelines.keys()] },
        'pipelines reloaded',
      );
      return true;
    } catch (error) {
      const diagnostics = BackfillError.is(error) ? error.diagnostics : [];
      for (const d of diagnostics) {
        this.#logger.error(
          {
            code: d.code,
            at: `${d.file}:${d.line}:${d.column}`,
            ...(d.hint ? { hint: d.hint } : {}),
          },
          d.message,
        );
      }
      // With diagnostics logged above, the error itself adds only noise.
      const cause = diagnostics.length > 0 ? {} : { err: error };
      this.#logger.error(
        { ...cause, code: codeOf(error), errors: diagnostics.length },
        'reload failed, keeping the pipelines loaded before',
      );
      return false;
    }
  }

  /**
   * Graceful stop (SIGTERM): no new run starts, runs in flight finish
   * their batch and close their ledger rows; after the shutdown timeout
   * they are abandoned (their chunks stay running until the next run's
   * lease takes them over).
   */
  async stop(): Promise<StopResult> {
    if (this.#stopping) return { clean: false, abandoned: [] };
    this.#stopping = true;
    // A start that failed armed nothing and served nothing: nothing to log.
    if (this.#http === null) {
      this.#scheduler.stop();
      return { clean: true, abandoned: [] };
    }
    this.#scheduler.stop();
    this.#stop.abort();
    this.#logger.info(
      { running: this.#scheduler.running() },
      'daemon stopping',
    );

    const timeout = this.#options.shutdownTimeoutMs ?? 30_000;
    const idle = await Promise.race([
      this.#scheduler.idle().then(() => true),
      new Promise<false>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeout);
        timer.unref();
      }),
    ]);
    const abandoned = idle ? [] : this.#scheduler.running();
    await this.#http?.close();
    this.#logger.info({ clean: idle, abandoned }, 'daemon stopped');
    return { clean: idle, abandoned };
  }

  /** The `/status` document. */
  async status(): Promise<DaemonStatus> {
    return daemonStatus({
      project: this.#requireProject(),
      pipelines: [...this.#pipelines.values()],
      scheduler: this.#scheduler,
      cwd: this.#options.cwd,
      now: this.#clock.now(),
      daemon: {
        pid: process.pid,
        startedAt: new Date(this.#startedAt).toISOString(),
        reloadedAt:
          this.#reloadedAt === null
            ? null
            : new Date(this.#reloadedAt).toISOString(),
        port: this.#http?.port ?? null,
        catchUp: this.#options.catchUp ?? 'none',
        stopping: this.#stopping,
      },
    });
  }

  /** Resolves when no scheduled run is in flight. */
  idle(): Promise<void> {
    return this.#scheduler.idle();
  }

  /** The port the HTTP server listens on. */
  get port(): number | null {
    return this.#http?.port ?? null;
  }

  // -------------------------------------------------------------------------

  async #apply(project: DaemonProject): Promise<void> {
    const enabled = project.pipelines.filter((p) => p.enabled);
    if (enabled.length === 0) {
      throw new DaemonError(
        'DAEMON_NO_PIPELINES',
        'no enabled pipeline to schedule: add a pipeline file under ' +
          'pipelines/, a job list with --config, or BACKFILL_JOBS',
      );
    }
    const times = await ledgerTimes(enabled, project, this.#options.cwd);
    this.#scheduler.update(
      enabled.map((spec) => ({
        name: spec.name,
        schedule: spec.schedule,
        place: placeOf(spec),
        lastRunAt: times.lastRun.get(spec.name) ?? null,
      })),
    );
    // Only once the schedule took the new pipelines: a bad one keeps the old.
    const hooks = tappedHooks(project.registry);
    const sources = new Map(enabled.map((s) => [s.name, s.source.use]));
    tapMetrics(hooks, this.metrics, {
      sourceOf: (pipeline) => sources.get(pipeline) ?? 'unknown',
      now: () => this.#clock.now(),
    });
    // A restart must not blank the gauge alerts watch: seed it from the
    // ledger once per pipeline; after that this process's runs keep it.
    for (const [pipeline, endedAt] of times.lastSuccess) {
      if (!this.#seeded.has(pipeline)) {
        this.metrics.lastSuccess.set({ pipeline }, Math.floor(endedAt / 1000));
        this.#seeded.add(pipeline);
      }
    }
    this.#project = project;
    this.#hooks = hooks;
    this.#pipelines = new Map(enabled.map((s) => [s.name, s]));
  }

  async #run(tick: Tick): Promise<void> {
    const spec = this.#pipelines.get(tick.pipeline);
    const project = this.#project;
    if (!spec || !project || !this.#hooks) return;
    const logger = this.#logger.child({ pipeline: spec.name });
    logger.info(
      { dueAt: new Date(tick.dueAt).toISOString(), catchUp: tick.catchUp },
      'scheduled run starting',
    );
    const summary = await runPipeline(spec, {
      ...this.#options.runOptions,
      // Nobody is there to pass --force at 3 a.m.: a lease whose holder is
      // gone (its pid dead on this host, or its heartbeat stale) is taken
      // over, with a warning. A live holder still makes the tick skip.
      force: true,
      registry: project.registry,
      cwd: this.#options.cwd,
      logger: this.#logger,
      hooks: this.#hooks,
      stop: this.#stop.signal,
      // The ledger's times follow the schedule's clock (a fake one in
      // tests); waits stay real.
      clock: { now: () => this.#clock.now(), sleep: engineClock.sleep },
      ...(project.defaultIntervalMs
        ? { defaultIntervalMs: project.defaultIntervalMs }
        : {}),
      ...(project.stateStore ? { stateStore: project.stateStore } : {}),
      ...(project.settingsFor ? { settings: project.settingsFor(spec) } : {}),
    });
    logger.info(
      { run: summary.runId, status: summary.status },
      'scheduled run ended',
    );
  }

  #runFailed(pipeline: string, error: unknown): void {
    const code = codeOf(error);
    if (code === 'ENGINE_LEASE_HELD') {
      this.metrics.scheduleSkipped.inc({ pipeline, reason: 'lease_held' });
      this.#logger.warn(
        { pipeline, code, reason: messageOf(error) },
        'scheduled run skipped: another process runs this pipeline',
      );
      return;
    }
    // The run could not start (unknown plugin, store unreachable): it has
    // no ledger row, so it is counted here.
    this.metrics.runs.inc({ pipeline, outcome: 'failed' });
    this.#logger.error(
      { pipeline, code, err: error },
      'scheduled run could not start',
    );
  }

  async #refreshGauges(): Promise<void> {
    const project = this.#project;
    if (!project) return;
    await refreshChunkGauges(
      [...this.#pipelines.values()],
      project,
      this.#options.cwd,
      this.metrics,
    );
  }

  #requireProject(): DaemonProject {
    if (!this.#project) {
      throw new DaemonError('DAEMON_NOT_STARTED', 'the daemon has not started');
    }
    return this.#project;
  }
}

// ---------------------------------------------------------------------------

function placeOf(spec: PipelineSpec): string {
  const where = spec.origin.pointer
    ? `${spec.origin.file}#${spec.origin.pointer}`
    : spec.origin.file;
  return `${where} (pipeline ${spec.name})`;
}
