import type {
  BatchContext,
  ChunkEndInfo,
  ChunkRow,
  Json,
  SourceBatch,
} from '@backfill/plugin-kit';
import { PluginError, sharedLimiter } from '@backfill/plugin-kit';

import { RetryPolicy } from '../retry/policy.ts';
import { halted, type RunContext } from './context.ts';
import { DeliveryError, deliver } from './delivery.ts';
import { codeOf, ledgerMessage, messageOf } from './errors.ts';
import { raceSignal, Watchdog } from './watchdog.ts';

/** How one chunk ended in this run. */
export interface ChunkOutcome {
  id: string;
  state: ChunkEndInfo['state'];
  records: number;
  error?: { code: string; message: string };
}

/**
 * Runs one chunk from its committed cursor to the end of its range. A
 * source failure is retried by policy: the source is reopened from the
 * last committed cursor after the backoff. A stop leaves the chunk
 * `pending` with that cursor, for the next run to resume.
 */
export async function runChunk(
  run: RunContext,
  row: ChunkRow,
): Promise<ChunkOutcome> {
  const ctx: BatchContext = {
    pipeline: run.spec.name,
    runId: run.runId,
    chunk: { id: row.id, range: row.range },
  };
  const logger = run.logger.child({ chunk: row.id });
  const policy = new RetryPolicy({
    maxRetries: run.spec.maxRetries,
    ...run.retry,
  });
  let cursor: Json | null = row.cursor;
  let attempts = row.attempts;
  let records = 0;

  const end = async (
    state: ChunkOutcome['state'],
    error?: unknown,
  ): Promise<ChunkOutcome> => {
    const message =
      error === undefined ? undefined : ledgerMessage(error, run.spec.secrets);
    await run.state.markChunk(run.spec.name, row.id, {
      state,
      runId: run.runId,
      at: now(run),
      ...(message === undefined ? {} : { error: message }),
    });
    run.hooks.metrics.call({
      name: 'chunks',
      value: 1,
      labels: { pipeline: run.spec.name, state },
    });
    await run.hooks.lifecycle.chunkEnd.promise({
      ...ctx,
      state,
      records,
      ...(message === undefined ? {} : { error: message }),
    });
    logger.info({ state, records }, 'chunk ended');
    return {
      id: row.id,
      state,
      records,
      ...(error === undefined
        ? {}
        : { error: { code: codeOf(error), message: message as string } }),
    };
  };

  await run.hooks.lifecycle.chunkStart.promise(ctx);
  for (;;) {
    if (halted(run)) return end('pending');
    await run.state.markChunk(run.spec.name, row.id, {
      state: 'running',
      runId: run.runId,
      at: now(run),
      attempts: ++attempts,
      error: null,
    });
    const stalled = new AbortController();
    const signal = AbortSignal.any([run.abort, run.stop, stalled.signal]);
    const watchdog = new Watchdog(run.stallMs, () =>
      stalled.abort(stallError(run.stallMs)),
    );
    try {
      const batches = run.source.fetch({
        params: run.spec.source.with,
        batchSize: run.spec.source.batchSize,
        chunk: ctx.chunk,
        cursor,
        signal,
        logger,
        limiter: sharedLimiter,
        countRequest: (status) =>
          run.hooks.metrics.call({
            name: 'source_requests',
            value: 1,
            labels: { pipeline: run.spec.name, status },
          }),
        settings: run.settings,
      });
      const iterator = batches[Symbol.asyncIterator]();
      for (;;) {
        const next = await raceSignal(iterator.next(), signal);
        if (next.done) break;
        watchdog.touch();
        const batch = await run.hooks.fetch.promise(next.value, ctx);
        if (repeats(cursor, batch)) {
          void iterator.return?.().catch(() => {});
          throw repeatedCursor(batch);
        }
        records += await take(run, ctx, batch);
        cursor = batch.cursor;
        policy.reset();
        if (halted(run)) {
          // The source may be parked in an await: do not wait for it.
          void iterator.return?.().catch(() => {});
          return end('pending');
        }
      }
      return end('done');
    } catch (error) {
      if (halted(run)) return end('pending');
      if (error instanceof DeliveryError) return end('failed', error.cause);
      const decision = policy.next(error, run.clock.now());
      if (!decision.retry) {
        logger.error({ err: error, reason: decision.reason }, 'chunk failed');
        run.hooks.lifecycle.error.call({
          pipeline: run.spec.name,
          runId: run.runId,
          chunkId: row.id,
          stage: 'fetch',
          error,
        });
        return end('failed', error);
      }
      run.hooks.retry.call({ ...ctx, ...decision, stage: 'fetch', error });
      run.hooks.metrics.call({
        name: 'retries',
        value: 1,
        labels: { pipeline: run.spec.name, class: decision.errorClass },
      });
      // Code and message, not `err`: a retry is expected weather, and a
      // stack on every one buried the line that says what is wrong.
      logger.warn(
        {
          code: codeOf(error),
          error: messageOf(error),
          attempt: decision.attempt,
          delayMs: decision.delayMs,
        },
        'source failed, retrying from the last committed cursor',
      );
      try {
        await run.clock.sleep(
          decision.delayMs,
          AbortSignal.any([run.abort, run.stop]),
        );
      } catch {
        return end('pending');
      }
    } finally {
      watchdog.stop();
    }
  }
}

// ---------------------------------------------------------------------------

/** Counts, trims to `--limit`, delivers; returns the records stored. */
async function take(
  run: RunContext,
  ctx: BatchContext,
  batch: SourceBatch,
): Promise<number> {
  let records = batch.records;
  const whole = records.length <= run.remaining;
  if (!whole) records = records.slice(0, Math.max(0, run.remaining));
  run.remaining -= records.length;
  run.counts.recordsFetched += records.length;
  run.hooks.metrics.call({
    name: 'records_fetched',
    value: records.length,
    labels: { pipeline: run.spec.name },
  });

  // A trimmed batch is stored without its cursor: the next run fetches
  // it again and the upserts absorb the records stored now.
  const checkpoint = whole
    ? {
        pipeline: run.spec.name,
        runId: run.runId,
        chunkId: ctx.chunk.id,
        cursor: batch.cursor,
        at: now(run),
        ...(batch.progress === undefined ? {} : { progress: batch.progress }),
        ...(batch.gaps?.length ? { gaps: batch.gaps } : {}),
      }
    : undefined;
  const stored = await deliver(run, ctx, records, checkpoint);

  run.counts.recordsStored += stored;
  if (checkpoint) run.gaps += batch.gaps?.length ?? 0;
  run.hooks.metrics.call({
    name: 'records_stored',
    value: stored,
    labels: { pipeline: run.spec.name },
  });
  await run.state.updateRun(run.runId, run.counts);
  return stored;
}

function now(run: RunContext): string {
  return new Date(run.clock.now()).toISOString();
}

/**
 * A batch with records whose cursor is the one it resumed from: the
 * source is serving one page over and over, and would loop forever.
 */
function repeats(previous: Json | null, batch: SourceBatch): boolean {
  if (previous === null || batch.records.length === 0) return false;
  return JSON.stringify(batch.cursor) === JSON.stringify(previous);
}

function repeatedCursor(batch: SourceBatch): PluginError {
  // Fatal: reopening from the same cursor would serve the same page.
  return new PluginError(
    `the source returned ${batch.records.length} records with the cursor ` +
      `${JSON.stringify(batch.cursor)} it had already returned: it is ` +
      'looping on one page; fix the source or its cursor',
    { code: 'ENGINE_CURSOR_REPEATED', errorClass: 'fatal' },
  );
}

function stallError(ms: number): PluginError {
  return new PluginError(`no batch arrived for ${ms} ms`, {
    code: 'ENGINE_STALLED',
    errorClass: 'retriable',
  });
}
