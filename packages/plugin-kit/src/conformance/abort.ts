import assert from 'node:assert/strict';

import { PluginError } from '../errors.ts';
import type { SourceBatch } from '../source.ts';
import { batchTimeout, iterate, nextBatch } from './context.ts';
import type { SourceConformance } from './options.ts';

/**
 * The source honours its AbortSignal: aborted before it starts, or between
 * two batches, it may still hand over batches it holds without a request
 * (a plan, the rest of a page), but its next request rejects with an
 * AbortError or a fatal PluginError. Ending quietly is not enough: the
 * engine would take the chunk for done.
 */
export async function checkAbort<Params>(
  conformance: SourceConformance<Params>,
): Promise<void> {
  const name = `source "${conformance.source.name}"`;
  const timeout = batchTimeout(conformance);

  const before = new AbortController();
  before.abort();
  const early = iterate(conformance, conformance.params, null, before.signal);
  await assertStopped(
    drainHeld(early, timeout, `${name}, aborted before its start`),
    `${name}, aborted before its start,`,
  );

  const between = new AbortController();
  const late = iterate(conformance, conformance.params, null, between.signal);
  const first = await nextBatch(late, timeout, `${name}, first batch`);
  assert.equal(first.done, false, `${name}: yielded no batch at all`);
  between.abort();
  await assertStopped(
    drainHeld(late, timeout, `${name}, aborted after its first batch`),
    `${name}, aborted after its first batch,`,
  );
}

// ---------------------------------------------------------------------------

/** Batches a source may still hold in memory after an abort. */
const MOST_HELD = 1000;

/** Steps past the batches already held: the first step that is not one. */
async function drainHeld(
  iterator: AsyncIterator<SourceBatch>,
  timeoutMs: number,
  what: string,
): Promise<IteratorResult<SourceBatch>> {
  for (let held = 0; ; held++) {
    const next = await nextBatch(iterator, timeoutMs, what);
    if (next.done || held >= MOST_HELD) return next;
  }
}

async function assertStopped(
  step: Promise<IteratorResult<unknown>>,
  what: string,
): Promise<void> {
  let outcome: IteratorResult<unknown>;
  try {
    outcome = await step;
  } catch (error) {
    assert.ok(
      isAbortError(error) ||
        (PluginError.is(error) && error.errorClass === 'fatal'),
      `${what} threw something else than an AbortError or a fatal ` +
        `PluginError: ${describe(error)}`,
    );
    return;
  }
  assert.fail(
    `${what} ${outcome.done ? 'ended quietly' : 'kept yielding batches'}; ` +
      "it must throw the signal's reason (signal.throwIfAborted()) or " +
      'pass the signal to its requests',
  );
}

function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || error.name === 'TimeoutError')
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
