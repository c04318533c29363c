import type { Json } from '../json.ts';
import { createRateLimiter } from '../limiter.ts';
import { silentLogger } from '../logger.ts';
import type { SourceBatch, SourceContext } from '../source.ts';
import { DEFAULT_CHUNK, type SourceConformance } from './options.ts';

/**
 * A SourceContext as the engine builds one for a chunk: a silent logger
 * and a limiter fast enough not to slow a loopback server down.
 */
export function contextFor<Params>(
  conformance: SourceConformance<Params>,
  params: Params,
  cursor: Json | null,
  signal: AbortSignal,
): SourceContext<Params> {
  const limiter = createRateLimiter({ requestsPerSecond: 10_000 });
  return {
    params,
    batchSize: conformance.batchSize ?? 2,
    chunk: conformance.chunk ?? DEFAULT_CHUNK,
    cursor,
    signal,
    logger: silentLogger,
    limiter: () => limiter,
    countRequest() {},
    settings: conformance.settings ?? {},
  };
}

/**
 * The next batch of an iteration, or a rejection once `timeoutMs` has
 * passed: a check fails rather than hangs the author's test runner.
 */
export async function nextBatch(
  iterator: AsyncIterator<SourceBatch>,
  timeoutMs: number,
  what: string,
): Promise<IteratorResult<SourceBatch>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no batch within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([iterator.next(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `source.fetch` for one chunk and returns its iterator. */
export function iterate<Params>(
  conformance: SourceConformance<Params>,
  params: Params,
  cursor: Json | null,
  signal: AbortSignal,
): AsyncIterator<SourceBatch> {
  const ctx = contextFor(conformance, params, cursor, signal);
  return conformance.source.fetch(ctx)[Symbol.asyncIterator]();
}

/** How long a check waits for one batch. */
export function batchTimeout<P>(conformance: SourceConformance<P>): number {
  return conformance.batchTimeoutMs ?? 30_000;
}
