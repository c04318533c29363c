import type {
  BatchContext,
  Checkpoint,
  DeadLetterInput,
  RecordTransform,
  SourceRecord,
} from '@backfill/plugin-kit';

import { RetryPolicy } from '../retry/policy.ts';
import type { RunContext } from './context.ts';
import { codeOf, ledgerMessage, messageOf } from './errors.ts';
import { addTally, newTally, type TransformTally } from './tally.ts';
import { raceSignal } from './watchdog.ts';

/** A batch the store refused as a whole, even record by record. */
export class DeliveryError extends Error {
  constructor(
    readonly stage: Stage,
    cause: unknown,
  ) {
    super(messageOf(cause), { cause });
    this.name = 'DeliveryError';
  }
}

type Stage = 'transform' | 'store';

/**
 * Transforms and stores one fetched batch, then commits its checkpoint
 * (inside the store's transaction when it can). A failing batch is retried
 * by policy, then record by record: records that still fail go to the
 * dead-letter table and the rest flow. Returns the records stored.
 */
export async function deliver(
  run: RunContext,
  ctx: BatchContext,
  records: SourceRecord[],
  checkpoint: Checkpoint | undefined,
): Promise<number> {
  const policy = new RetryPolicy({
    maxRetries: run.spec.maxRetries,
    ...run.retry,
  });
  for (;;) {
    const attempt = await attemptBatch(run, ctx, records, checkpoint);
    if (attempt.ok) return attempt.stored;
    const decision = policy.next(attempt.error, run.clock.now());
    if (!decision.retry) {
      return isolate(run, ctx, records, checkpoint, policy.retries + 1);
    }
    run.hooks.retry.call({
      ...ctx,
      ...decision,
      stage: attempt.stage,
      error: attempt.error,
    });
    run.hooks.metrics.call({
      name: 'retries',
      value: 1,
      labels: { pipeline: run.spec.name, class: decision.errorClass },
    });
    run.logger.warn(
      { err: attempt.error, stage: attempt.stage, delayMs: decision.delayMs },
      'batch failed, retrying',
    );
    await run.clock.sleep(decision.delayMs, run.abort);
  }
}

// ---------------------------------------------------------------------------

type Attempt =
  | { ok: true; stored: number }
  | { ok: false; stage: Stage; error: unknown };

async function attemptBatch(
  run: RunContext,
  ctx: BatchContext,
  records: SourceRecord[],
  checkpoint: Checkpoint | undefined,
): Promise<Attempt> {
  let out: SourceRecord[];
  const tally = newTally(run.transforms.length);
  try {
    out = await applyTransforms(run.transforms, records, tally);
    out = await run.hooks.transform.promise(out, ctx);
  } catch (error) {
    return { ok: false, stage: 'transform', error };
  }
  try {
    const stamped = checkpoint && { ...checkpoint, records: out.length };
    await write(run, ctx, out, stamped);
    // Counted once stored: a failed attempt is transformed again.
    addTally(run.tally, tally);
    const dropped = tally.dropped.reduce((sum, n) => sum + n, 0);
    run.counts.recordsFiltered += dropped;
    return { ok: true, stored: out.length };
  } catch (error) {
    return { ok: false, stage: 'store', error };
  }
}

async function write(
  run: RunContext,
  ctx: BatchContext,
  records: SourceRecord[],
  checkpoint: Checkpoint | undefined,
): Promise<void> {
  const batch = await run.hooks.store.promise(
    {
      pipeline: run.spec.name,
      collection: run.collection,
      records,
      ...(run.atomic && checkpoint ? { checkpoint } : {}),
    },
    ctx,
  );
  await raceSignal(run.session.write(batch), run.abort);
  // Without a transactional store the cursor follows the acknowledgement:
  // a crash in between re-fetches the batch, and upserts absorb it.
  if (!run.atomic && checkpoint) await run.state.commitCheckpoint(checkpoint);
}

/** Record by record: the poison ones to the dead-letter table. */
async function isolate(
  run: RunContext,
  ctx: BatchContext,
  records: SourceRecord[],
  checkpoint: Checkpoint | undefined,
  attempts: number,
): Promise<number> {
  const letters: DeadLetterInput[] = [];
  let stored = 0;
  let lastError: { stage: Stage; error: unknown } | undefined;
  for (const record of records) {
    const attempt = await attemptBatch(run, ctx, [record], undefined);
    if (attempt.ok) {
      stored += attempt.stored;
      continue;
    }
    lastError = attempt;
    letters.push({
      pipeline: run.spec.name,
      runId: run.runId,
      chunkId: ctx.chunk.id,
      collection: run.collection,
      stage: attempt.stage,
      record,
      errorCode: codeOf(attempt.error),
      errorMessage: ledgerMessage(attempt.error, run.spec.secrets),
      attempts,
      at: new Date(run.clock.now()).toISOString(),
    });
  }
  // Every record failing is not a poison record but a broken store (or a
  // transform that rejects everything): fail the chunk, keep the cursor.
  if (lastError && letters.length === records.length && records.length > 1) {
    throw new DeliveryError(lastError.stage, lastError.error);
  }
  await run.state.addDeadLetters(letters);
  run.counts.recordsDeadLettered += letters.length;
  run.hooks.metrics.call({
    name: 'records_dead_lettered',
    value: letters.length,
    labels: { pipeline: run.spec.name },
  });
  for (const letter of letters) {
    run.logger.warn(
      { key: letter.record.key, stage: letter.stage, code: letter.errorCode },
      'record dead-lettered',
    );
  }
  if (checkpoint) {
    await run.state.commitCheckpoint({ ...checkpoint, records: stored });
  }
  return stored;
}

/**
 * Runs each transform over every record, in order; awaits only promises.
 * Counts into `tally`, per step, the records received and dropped (null
 * or an empty list), and ends the batch for each transform.
 */
export async function applyTransforms(
  transforms: RecordTransform[],
  records: SourceRecord[],
  tally?: TransformTally,
): Promise<SourceRecord[]> {
  let current = records;
  for (const [step, transform] of transforms.entries()) {
    const next: SourceRecord[] = [];
    let dropped = 0;
    for (const record of current) {
      let result = transform(record);
      if (result instanceof Promise) result = await result;
      if (result === null) dropped++;
      else if (Array.isArray(result)) {
        if (result.length === 0) dropped++;
        next.push(...result);
      } else next.push(result);
    }
    transform.endBatch?.();
    if (tally) {
      tally.received[step] = (tally.received[step] ?? 0) + current.length;
      tally.dropped[step] = (tally.dropped[step] ?? 0) + dropped;
    }
    current = next;
  }
  return current;
}
