import assert from 'node:assert/strict';

import { PluginError } from '../errors.ts';
import { batchTimeout, iterate, nextBatch } from './context.ts';
import type { FailureCase, SourceConformance } from './options.ts';

/** Stable codes: upper snake case, `CHAIN_RPC_TIMEOUT`. */
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/**
 * Each failure case of the author makes the source throw a PluginError of
 * the expected class, with a stable code (and the expected one, if
 * given), so that the engine's retry policy knows what to do with it.
 */
export async function checkErrors<Params>(
  conformance: SourceConformance<Params>,
): Promise<void> {
  const name = `source "${conformance.source.name}"`;
  const cases = conformance.failures ?? [];
  assert.ok(
    cases.length > 0,
    `${name}: give at least one failure case (params that make it fail)`,
  );
  for (const failure of cases) await checkFailure(conformance, failure);
}

// ---------------------------------------------------------------------------

async function checkFailure<Params>(
  conformance: SourceConformance<Params>,
  failure: FailureCase<Params>,
): Promise<void> {
  const what = `source "${conformance.source.name}", ${failure.name},`;
  const iterator = iterate(
    conformance,
    failure.params,
    null,
    new AbortController().signal,
  );
  let thrown: unknown;
  try {
    for (;;) {
      const next = await nextBatch(iterator, batchTimeout(conformance), what);
      if (next.done) break;
    }
  } catch (error) {
    thrown = error;
  }

  assert.ok(thrown !== undefined, `${what} did not fail`);
  if (!PluginError.is(thrown)) {
    assert.fail(
      `${what} threw ${describe(thrown)}; throw a PluginError with a ` +
        'code and an errorClass instead',
    );
  }
  assert.match(thrown.code, CODE, `${what} code is not UPPER_SNAKE_CASE`);
  assert.equal(
    thrown.errorClass,
    failure.errorClass,
    `${what} error ${thrown.code} has the wrong class`,
  );
  if (failure.code !== undefined) {
    assert.equal(thrown.code, failure.code, `${what} wrong error code`);
  }
  if (thrown.retryAfterMs !== undefined) {
    assert.ok(
      Number.isFinite(thrown.retryAfterMs) && thrown.retryAfterMs >= 0,
      `${what} retryAfterMs must be a number of ms, 0 or more`,
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
