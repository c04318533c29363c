import { randomUUID } from 'node:crypto';

import type { ChunkRow, Logger, StateBackend } from '@backfill/plugin-kit';
import { PluginError, silentLogger } from '@backfill/plugin-kit';

import { redactText } from '../logging/redact.ts';
import {
  PIPELINE_DEFAULTS,
  type PipelineSpec,
  type StepSpec,
  type WindowSpec,
} from '../model/pipeline.ts';
import { type Clock, systemClock } from '../retry/clock.ts';
import type { RetryOptions } from '../retry/policy.ts';
import { type ChunkOutcome, runChunk } from './chunk.ts';
import type { RunContext } from './context.ts';
import { codeOf, EngineError, messageOf } from './errors.ts';
import { createHooks, type Hooks } from './hooks.ts';
import { latestWindowMs } from './latest.ts';
import { acquireLease } from './lease.ts';
import { adoptLeftovers, type Reprocess } from './leftovers.ts';
import { planChunks, windowRange } from './planner.ts';
import type { PluginRegistry } from './registry.ts';
import { openStores } from './stores.ts';
import { type RunSummary, summarize } from './summary.ts';
import { newTally, warnDroppedAll } from './tally.ts';

export type { Reprocess } from './leftovers.ts';

export interface RunOptions {
  registry: PluginRegistry;
  /** Relative store paths resolve against it. */
  cwd: string;
  logger?: Logger;
  /** Hooks already tapped; else fresh ones tapped by the plugins' setup. */
  hooks?: Hooks;
  /** Overrides the pipeline's window (`--from/--to/--hours`). */
  window?: WindowSpec | null;
  reprocess?: Reprocess;
  /** Stop after this many records (`--limit`). */
  limit?: number;
  /** Take over a lease whose holder is gone. */
  force?: boolean;
  /** Graceful stop (SIGINT/SIGTERM): finish the batch in flight. */
  stop?: AbortSignal;
  /** After a stop, abandon the batch in flight after this long. 10 s. */
  stopDeadlineMs?: number;
  clock?: Clock;
  retry?: Omit<RetryOptions, 'maxRetries'>;
  /** Length of the latest window for `window: null`. 6 h. */
  defaultIntervalMs?: number;
  chunkMs?: number;
  chunkSlots?: number;
  /** No batch for this long aborts and retries the fetch. 5 min. */
  stallMs?: number;
  /** Where state goes when the data store keeps none. */
  stateStore?: StepSpec;
  /** Host-config settings for sources. */
  settings?: Record<string, unknown>;
  runId?: string;
}

export type { RunSummary } from './summary.ts';

/**
 * Runs one pipeline: plans its chunks into the ledger, takes its lease,
 * runs the chunks with bounded concurrency and closes the run. Resolves
 * to the summary; rejects only when the run cannot start (unknown plugin,
 * lease held, store unreachable).
 */
export async function runPipeline(
  spec: PipelineSpec,
  options: RunOptions,
): Promise<RunSummary> {
  const clock = options.clock ?? systemClock;
  const runId = options.runId ?? randomUUID();
  const logger = (options.logger ?? silentLogger).child({
    pipeline: spec.name,
    run: runId,
  });
  const hooks = options.hooks ?? tappedHooks(options.registry);
  const startedAt = clock.now();

  const source = options.registry.source(spec.source.use);
  const transforms = spec.transform.map((step) =>
    options.registry
      .transform(step.use)
      .create(step.with, { logger, pipeline: spec.name }),
  );
  const latestMs = latestWindowMs(
    spec.schedule,
    options.defaultIntervalMs ?? PIPELINE_DEFAULTS.intervalMs,
    startedAt,
  );
  const chunks = planChunks({
    window: options.window === undefined ? spec.window : options.window,
    now: startedAt,
    defaultIntervalMs: latestMs,
    capabilities: source.capabilities,
    ...(options.chunkMs ? { chunkMs: options.chunkMs } : {}),
    ...(options.chunkSlots ? { chunkSlots: options.chunkSlots } : {}),
  });
  const window = windowRange(
    options.window === undefined ? spec.window : options.window,
    startedAt,
    latestMs,
  );

  const stores = await openStores(spec, options, logger);
  const abort = new AbortController();
  try {
    const lease = await acquireLease(stores.state, {
      pipeline: spec.name,
      runId,
      force: options.force ?? false,
      clock,
      logger,
      onLost: () =>
        abort.abort(
          new EngineError(
            'ENGINE_LEASE_LOST',
            `another run took over the lease of pipeline ${spec.name}`,
          ),
        ),
    });
    try {
      const reprocess = options.reprocess ?? 'none';
      const { plan, leftovers } = adoptLeftovers(
        chunks,
        await stores.state.listChunks(spec.name),
        source.capabilities.splittable,
        reprocess,
      );
      const planned = leftovers.length + plan.length;
      const rows = await prepareLedger(stores.state, spec.name, {
        plan,
        leftovers,
        reprocess,
        runId,
        clock,
      });
      const run: RunContext = {
        spec,
        runId,
        hooks,
        logger,
        state: stores.state,
        session: stores.session,
        atomic: stores.atomic,
        source,
        transforms,
        collection: collectionOf(spec.source.use),
        clock,
        retry: options.retry ?? {},
        abort: abort.signal,
        stop: options.stop ?? new AbortController().signal,
        counts: {
          recordsFetched: 0,
          recordsStored: 0,
          recordsDeadLettered: 0,
          recordsFiltered: 0,
        },
        tally: newTally(transforms.length),
        gaps: 0,
        remaining: options.limit ?? Number.POSITIVE_INFINITY,
        stallMs: options.stallMs ?? 5 * 60_000,
        settings: options.settings ?? {},
      };
      await stores.state.startRun({
        id: runId,
        pipeline: spec.name,
        startedAt: new Date(startedAt).toISOString(),
        window,
        holder: lease.holder,
      });
      await hooks.lifecycle.runStart.promise({
        pipeline: spec.name,
        runId,
        chunks: planned,
      });
      logger.info(
        { chunks: planned, leftovers: leftovers.length, todo: rows.length },
        'run started',
      );

      const outcomes = await runChunks(run, rows, abort, options);
      warnDroppedAll(run);
      const summary = summarize({
        run,
        window,
        planned,
        outcomes,
        startedAt,
        endedAt: clock.now(),
        abortReason: abort.signal.aborted ? abort.signal.reason : undefined,
        stopped: run.stop.aborted,
      });
      await stores.state.finishRun(runId, {
        status: summary.status,
        endedAt: summary.endedAt,
        ...run.counts,
        ...(summary.error
          ? { error: redactText(summary.error.message, spec.secrets) }
          : {}),
      });
      await hooks.lifecycle.runEnd.promise({
        pipeline: spec.name,
        runId,
        chunks: planned,
        status: summary.status,
        ...run.counts,
      });
      logger.info({ status: summary.status, ...run.counts }, 'run ended');
      return summary;
    } finally {
      // A failure here must not replace the run's own outcome or error (a
      // database gone mid-run failed the run first): it is logged, and an
      // unreleased lease goes stale once its heartbeat stops.
      await lease.release().catch((error: unknown) => {
        logger.warn(
          { code: codeOf(error), error: messageOf(error) },
          'could not release the lease; it counts as gone once its ' +
            'heartbeat is 60 s old',
        );
      });
    }
  } finally {
    await stores.close().catch((error: unknown) => {
      logger.warn(
        { code: codeOf(error), error: messageOf(error) },
        'could not close the store',
      );
    });
  }
}

/** Fresh hooks, tapped by every plugin that has a `setup`. */
export function tappedHooks(registry: PluginRegistry): Hooks {
  const hooks = createHooks();
  for (const plugin of registry.plugins()) plugin.setup?.(hooks);
  return hooks;
}

/** The default collection of a source: non-alphanumerics become `_`. */
export function collectionOf(sourceName: string): string {
  return sourceName.replace(/[^A-Za-z0-9]/g, '_');
}

// ---------------------------------------------------------------------------

/**
 * Records the plan and picks the chunks this run works on: the leftovers
 * of earlier runs first, then the plan, `--reprocess` applied to both.
 */
async function prepareLedger(
  state: StateBackend,
  pipeline: string,
  work: {
    plan: Parameters<StateBackend['planChunks']>[1];
    leftovers: ChunkRow[];
    reprocess: Reprocess;
    runId: string;
    clock: Clock;
  },
): Promise<ChunkRow[]> {
  const { reprocess, runId, clock } = work;
  const rows = [
    ...work.leftovers,
    ...(await state.planChunks(pipeline, work.plan)),
  ];
  const todo: ChunkRow[] = [];
  for (const row of rows) {
    const redo =
      reprocess === 'all' || (reprocess === 'failed' && row.state === 'failed');
    if (redo && (row.state !== 'pending' || row.cursor !== null)) {
      await state.markChunk(pipeline, row.id, {
        state: 'pending',
        runId,
        at: new Date(clock.now()).toISOString(),
        reset: true,
      });
      todo.push({ ...row, state: 'pending', cursor: null, records: 0 });
    } else if (row.state !== 'done') {
      todo.push(row);
    }
  }
  return todo;
}

/** Runs the chunks, `spec.concurrency` at a time, honouring timeout/stop. */
async function runChunks(
  run: RunContext,
  rows: ChunkRow[],
  abort: AbortController,
  options: RunOptions,
): Promise<ChunkOutcome[]> {
  const timers: NodeJS.Timeout[] = [];
  if (run.spec.timeoutMs !== undefined) {
    const ms = run.spec.timeoutMs;
    timers.push(
      setTimeout(
        () =>
          abort.abort(
            new PluginError(`the run timed out after ${ms} ms`, {
              code: 'ENGINE_TIMEOUT',
              errorClass: 'fatal',
            }),
          ),
        ms,
      ),
    );
  }
  const onStop = () => {
    const ms = options.stopDeadlineMs ?? 10_000;
    run.logger.info({ deadlineMs: ms }, 'stopping: finishing the batch');
    const timer = setTimeout(
      () =>
        abort.abort(
          new EngineError('ENGINE_STOPPED', 'stopped before the batch ended'),
        ),
      ms,
    );
    timer.unref();
    timers.push(timer);
  };
  run.stop.addEventListener('abort', onStop, { once: true });

  const outcomes: ChunkOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++] as ChunkRow;
      try {
        outcomes.push(await runChunk(run, row));
      } catch (error) {
        // The ledger itself failed: nothing else can be trusted this run.
        abort.abort(error);
        outcomes.push({
          id: row.id,
          state: 'failed',
          records: 0,
          error: { code: codeOf(error), message: messageOf(error) },
        });
      }
    }
  };
  const width = Math.max(1, Math.min(run.spec.concurrency, rows.length));
  try {
    await Promise.all(Array.from({ length: width }, worker));
  } finally {
    for (const timer of timers) clearTimeout(timer);
    run.stop.removeEventListener('abort', onStop);
  }
  return outcomes;
}
