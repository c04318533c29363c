import {
  createRateLimiter,
  type Json,
  type Logger,
  type SourceBatch,
  type SourceContext,
} from '@backfill/plugin-kit';
import plugin, { type OffchainParams } from '@backfill/source-offchain';

/** Every log line the source wrote, as pino would serialise it. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string | undefined;
  fields: Record<string, unknown>;
}

export interface HandMadeContext {
  ctx: SourceContext<OffchainParams>;
  logs: LogLine[];
  /** Requests counted by status class. */
  counts: Record<string, number>;
}

/** The window every test chunk covers. */
export const WINDOW = {
  kind: 'time',
  from: '2026-01-01T00:00:00.000Z',
  to: '2026-01-02T00:00:00.000Z',
} as const;

/**
 * A SourceContext made by hand, as the engine would make it: an unshared
 * limiter fast enough not to matter, and a logger that records.
 */
export function handMadeContext(
  params: OffchainParams,
  options: {
    cursor?: Json | null;
    settings?: Record<string, unknown>;
    signal?: AbortSignal;
  } = {},
): HandMadeContext {
  const logs: LogLine[] = [];
  const counts: Record<string, number> = {};
  const limiter = createRateLimiter({ requestsPerSecond: 10_000 });
  const ctx: SourceContext<OffchainParams> = {
    params,
    batchSize: 1000,
    chunk: { id: 'chunk-1', range: { ...WINDOW } },
    cursor: options.cursor ?? null,
    signal: options.signal ?? new AbortController().signal,
    logger: recordingLogger(logs),
    limiter: () => limiter,
    countRequest(statusClass) {
      counts[statusClass] = (counts[statusClass] ?? 0) + 1;
    },
    settings: options.settings ?? {},
  };
  return { ctx, logs, counts };
}

export interface Drained {
  batches: SourceBatch[];
  keys: string[];
  error:
    | (Error & { code?: string; errorClass?: string; retryAfterMs?: number })
    | null;
}

/** Runs the off-chain source over `ctx` to its end or its error. */
export async function drain(
  ctx: SourceContext<OffchainParams>,
): Promise<Drained> {
  const source = plugin.sources[0]!;
  const batches: SourceBatch[] = [];
  let error: Drained['error'] = null;
  try {
    for await (const batch of source.fetch(ctx)) batches.push(batch);
  } catch (caught) {
    error = caught as Drained['error'];
  }
  const keys = batches.flatMap((batch) => batch.records.map((r) => r.key));
  return { batches, keys, error };
}

function recordingLogger(
  logs: LogLine[],
  bindings: Record<string, unknown> = {},
): Logger {
  const at = (level: LogLine['level']) => (obj: object, msg?: string) =>
    logs.push({ level, msg, fields: { ...bindings, ...obj } });
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(logs, { ...bindings, ...more }),
  };
}
