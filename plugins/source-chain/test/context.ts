import type {
  ChunkRange,
  Json,
  RateLimiter,
  SourceBatch,
  SourceContext,
} from '@backfill/plugin-kit';
import { createRateLimiter, silentLogger } from '@backfill/plugin-kit';

import { chainSource } from '../src/index.ts';
import type { ChainParams } from '../src/params.ts';

/** What a hand-made context saw: requests by status class. */
export interface ContextLog {
  requests: Record<string, number>;
  limiters: Map<string, RateLimiter>;
}

/**
 * A SourceContext built by hand, as the engine would build one, with its
 * own limiters (not the process-wide ones) so tests do not share pace.
 */
export function sourceContext(
  params: ChainParams,
  range: ChunkRange,
  options: {
    cursor?: Json | null;
    batchSize?: number;
    signal?: AbortSignal;
    settings?: Record<string, unknown>;
  } = {},
): { ctx: SourceContext<ChainParams>; log: ContextLog } {
  const log: ContextLog = { requests: {}, limiters: new Map() };
  const ctx: SourceContext<ChainParams> = {
    params,
    batchSize: options.batchSize ?? 100,
    chunk: { id: 'test-chunk', range },
    cursor: options.cursor ?? null,
    signal: options.signal ?? new AbortController().signal,
    logger: silentLogger,
    limiter(key, limiterOptions) {
      let limiter = log.limiters.get(key);
      if (!limiter) {
        limiter = createRateLimiter(limiterOptions);
        log.limiters.set(key, limiter);
      }
      return limiter;
    },
    countRequest(statusClass) {
      log.requests[statusClass] = (log.requests[statusClass] ?? 0) + 1;
    },
    settings: options.settings ?? {},
  };
  return { ctx, log };
}

/** Every batch the chain source yields for a context. */
export async function collect(
  ctx: SourceContext<ChainParams>,
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<SourceBatch[]> {
  const batches: SourceBatch[] = [];
  for await (const batch of chainSource.fetch(ctx)) {
    batches.push(batch);
    if (batches.length >= stopAfter) break;
  }
  return batches;
}
