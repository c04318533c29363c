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
  let transformed: Transformed | undefined;
  for (;;) {
    // Transforms run once for a batch that reaches the store: a retry of a
    // failed write sends the same records again. Run again, a stateful
    // transform (dedupe) took its own first pass for duplicates and
    // dropped the whole batch.
    const attempt = transformed
      ? await storeBatch(run, ctx, transformed, checkpoint)
      : await attemptBatch(run, ctx, records, checkpoint);
    if (attempt.ok) return attempt.stored;
    if (attempt.stage === 'store') transformed = attempt.transformed;
    const decision = policy.next(attempt.error, run.clock.now());
    if (!decision.retry) {
      return transformed?.origins
        ? isolateWrites(run, ctx, records, transformed, checkpoint, policy)
        : isolate(run, ctx, records, checkpoint, policy.retries + 1);
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
    // Code and message, not `err`: a stack on every retry buried the line.
    run.logger.warn(
      {
        code: codeOf(attempt.error),
        error: messageOf(attempt.error),
        stage: attempt.stage,
        delayMs: decision.delayMs,
      },
      'batch failed, retrying',
    );
    await run.clock.sleep(decision.delayMs, run.abort);
  }
}

// ---------------------------------------------------------------------------

type Attempt =
  | { ok: true; stored: number }
  | { ok: false; stage: 'transform'; error: unknown }
  | { ok: false; stage: 'store'; error: unknown; transformed: Transformed };

/** A batch through the transforms: what to store, and where it came from. */
interface Transformed {
  out: SourceRecord[];
  /** The input record of each output; undefined when a hook reshaped it. */
  origins: number[] | undefined;
  tally: TransformTally;
}

async function attemptBatch(
  run: RunContext,
  ctx: BatchContext,
  records: SourceRecord[],
  checkpoint: Checkpoint | undefined,
): Promise<Attempt> {
  const tally = newTally(run.transforms.length);
  let transformed: Transformed;
  try {
    const origins: number[] = [];
    const out = await applyTransforms(run.transforms, records, tally, origins);
    const hooked = await run.hooks.transform.promise(out, ctx);
    const same =
      hooked.length === out.length && hooked.every((r, i) => r === out[i]);
    transformed = { out: hooked, origins: same ? origins : undefined, tally };
  } catch (error) {
    return { ok: false, stage: 'transform', error };
  }
  return storeBatch(run, ctx, transformed, checkpoint);
}

async function storeBatch(
  run: RunContext,
  ctx: BatchContext,
  transformed: Transformed,
  checkpoint: Checkpoint | undefined,
): Promise<Attempt> {
  const { out, tally } = transformed;
  try {
    const stamped = checkpoint && { ...checkpoint, records: out.length };
    await write(run, ctx, out, stamped);
    // Counted once stored.
    addTally(run.tally, tally);
    const dropped = tally.dropped.reduce((sum, n) => sum + n, 0);
    run.counts.recordsFiltered += dropped;
    return { ok: true, stored: out.length };
  } catch (error) {
    return { ok: false, stage: 'store', error, transformed };
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

/**
 * The store refused the batch even after its retries: each input record's
 * outputs are written on their own, as transformed once, and the records
 * whose write still fails go to the dead-letter table.
 */
async function isolateWrites(
  run: RunContext,
  ctx: BatchContext,
  records: SourceRecord[],
  transformed: Transformed,
  checkpoint: Checkpoint | undefined,
  policy: RetryPolicy,
): Promise<number> {
  const origins = transformed.origins as number[];
  const byRecord = records.map((): SourceRecord[] => []);
  for (const [i, output] of transformed.out.entries()) {
    byRecord[origins[i] as number]?.push(output);
  }
  const letters: DeadLetterInput[] = [];
  let stored = 0;
  let lastError: unknown;
  for (const [index, record] of records.entries()) {
    const outputs = byRecord[index] as SourceRecord[];
    if (outputs.length === 0) continue;
    try {
      await write(run, ctx, outputs, undefined);
      stored += outputs.length;
    } catch (error) {
      lastError = error;
      letters.push(letterOf(run, ctx, record, 'store', error, policy));
    }
  }
  const written = records.filter((_, i) => byRecord[i]?.length).length;
  if (letters.length > 0 && letters.length === written && written > 1) {
    throw new DeliveryError('store', lastError);
  }
  addTally(run.tally, transformed.tally);
  run.counts.recordsFiltered += transformed.tally.dropped.reduce(
    (sum, n) => sum + n,
    0,
  );
  return finishIsolation(run, letters, checkpoint, stored);
}

function letterOf(
  run: RunContext,
  ctx: BatchContext,
  record: SourceRecord,
  stage: Stage,
  error: unknown,
  policy: RetryPolicy,
): DeadLetterInput {
  return {
    pipeline: run.spec.name,
    runId: run.runId,
    chunkId: ctx.chunk.id,
    collection: run.collection,
    stage,
    record,
    errorCode: codeOf(error),
    errorMessage: ledgerMessage(error, run.spec.secrets),
    attempts: policy.retries + 1,
    at: new Date(run.clock.now()).toISOString(),
  };
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
  return finishIsolation(run, letters, checkpoint, stored);
}

/** Stores the dead letters, counts them, commits the batch's cursor. */
async function finishIsolation(
  run: RunContext,
  letters: DeadLetterInput[],
  checkpoint: Checkpoint | undefined,
  stored: number,
): Promise<number> {
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
  /** Filled with the index in `records` each output came from. */
  origins?: number[],
): Promise<SourceRecord[]> {
  let current = records;
  let from = records.map((_, i) => i);
  for (const [step, transform] of transforms.entries()) {
    const next: SourceRecord[] = [];
    const nextFrom: number[] = [];
    let dropped = 0;
    for (const [i, record] of current.entries()) {
      let result = transform(record);
      if (result instanceof Promise) result = await result;
      if (result === null) dropped++;
      else if (Array.isArray(result)) {
        if (result.length === 0) dropped++;
        next.push(...result);
        for (const _ of result) nextFrom.push(from[i] as number);
      } else {
        next.push(result);
        nextFrom.push(from[i] as number);
      }
    }
    from = nextFrom;
    transform.endBatch?.();
    if (tally) {
      tally.received[step] = (tally.received[step] ?? 0) + current.length;
      tally.dropped[step] = (tally.dropped[step] ?? 0) + dropped;
    }
    current = next;
  }
  origins?.push(...from);
  return current;
}
