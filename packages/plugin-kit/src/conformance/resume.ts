import assert from 'node:assert/strict';

import type { Json } from '../json.ts';
import type { SourceBatch } from '../source.ts';
import { batchTimeout, iterate, nextBatch } from './context.ts';
import type { SourceConformance } from './options.ts';

/** What one run over the chunk yielded. */
export interface CompleteRun {
  batches: SourceBatch[];
  keys: string[];
}

/**
 * Runs the source over the chunk to its end, as the engine would with no
 * saved cursor. Fails when it yields fewer than two batches (no resume to
 * test: lower `batchSize`), a key twice, or a cursor that is not JSON.
 */
export async function runToCompletion<Params>(
  conformance: SourceConformance<Params>,
): Promise<CompleteRun> {
  const name = `source "${conformance.source.name}"`;
  const iterator = iterate(
    conformance,
    conformance.params,
    null,
    new AbortController().signal,
  );
  const batches: SourceBatch[] = [];
  for (;;) {
    const next = await nextBatch(
      iterator,
      batchTimeout(conformance),
      `${name}, batch ${batches.length + 1}`,
    );
    if (next.done) break;
    assertJson(
      next.value.cursor,
      `${name}: the cursor of batch ${batches.length + 1}`,
    );
    batches.push(next.value);
  }
  const keys = batches.flatMap((batch) => batch.records.map((r) => r.key));
  assert.ok(
    batches.length >= 2,
    `${name}: the conformance params must yield at least two batches ` +
      `(got ${batches.length}); lower batchSize or widen the chunk`,
  );
  assert.deepEqual(duplicates(keys), [], `${name}: keys yielded twice`);
  return { batches, keys };
}

/**
 * A run stopped after every batch and started again from the cursor that
 * batch yielded (through JSON, as the ledger stores it) yields the same
 * keys as one run to completion, none twice.
 */
export async function checkResume<Params>(
  conformance: SourceConformance<Params>,
): Promise<void> {
  const name = `source "${conformance.source.name}"`;
  const complete = await runToCompletion(conformance);
  assert.ok(
    conformance.source.capabilities.resumable,
    `${name}: capabilities.resumable is false; the engine would restart ` +
      'its chunks from the beginning after a crash',
  );

  const keys: string[] = [];
  let cursor: Json | null = null;
  // Each restart must advance: a bound well past the complete run's length.
  const most = complete.batches.length * 2 + 2;
  for (let restart = 1; ; restart++) {
    assert.ok(
      restart <= most,
      `${name}: still yielding after ${most} restarts; its cursor does ` +
        'not advance',
    );
    const iterator = iterate(
      conformance,
      conformance.params,
      cursor,
      new AbortController().signal,
    );
    const next = await nextBatch(
      iterator,
      batchTimeout(conformance),
      `${name}, restart ${restart}`,
    );
    if (next.done) break;
    // The engine stops a source this way: return() runs its finally blocks.
    await iterator.return?.();
    keys.push(...next.value.records.map((r) => r.key));
    cursor = JSON.parse(JSON.stringify(next.value.cursor)) as Json;
  }

  assert.deepEqual(
    duplicates(keys),
    [],
    `${name}: keys yielded again after a resume from the cursor`,
  );
  assert.deepEqual(
    [...keys].sort(),
    [...complete.keys].sort(),
    `${name}: a run resumed after every batch yields other keys than ` +
      'one run to completion',
  );
}

// ---------------------------------------------------------------------------

function duplicates(keys: string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) twice.add(key);
    seen.add(key);
  }
  return [...twice];
}

function assertJson(value: unknown, what: string): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    assert.fail(`${what} is not JSON: ${(error as Error).message}`);
  }
  assert.ok(text !== undefined, `${what} is not JSON (undefined)`);
}
