// A hand-made SourceContext for driving the glacier source directly, the
// way the engine does: it feeds back the cursor of the last batch.
import type {
  Json,
  Logger,
  SourceBatch,
  SourceContext,
} from '@backfill/plugin-kit';
import { createRateLimiter } from '@backfill/plugin-kit';
import plugin, { type GlacierParams } from '@backfill/source-glacier';

export const glacier = plugin.sources?.[0] as NonNullable<
  typeof plugin.sources
>[number];

export interface LogLine {
  level: string;
  msg: string | undefined;
  obj: object;
}

export function recordingLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, msg, obj });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

export interface Drive {
  params: GlacierParams;
  cursor?: Json | null;
  batchSize?: number;
  range?: { kind: 'time'; from: string; to: string };
  logs?: LogLine[];
  signal?: AbortSignal;
  /** Stop after this many batches, as a crash would. */
  stopAfter?: number;
  /** Collects the batches here too: what was yielded before a failure. */
  into?: SourceBatch[];
}

export interface Driven {
  batches: SourceBatch[];
  cursor: Json | null;
  requests: Record<string, number>;
}

/** Runs the source over one chunk, collecting every batch. */
export async function drive(options: Drive): Promise<Driven> {
  const batches: SourceBatch[] = options.into ?? [];
  const requests: Record<string, number> = {};
  let cursor = options.cursor ?? null;
  const ctx: SourceContext<GlacierParams> = {
    params: options.params,
    batchSize: options.batchSize ?? 100,
    chunk: {
      id: 'all',
      range: options.range ?? {
        kind: 'time',
        from: '2020-01-01T00:00:00.000Z',
        to: '2030-01-01T00:00:00.000Z',
      },
    },
    cursor,
    signal: options.signal ?? new AbortController().signal,
    logger: recordingLogger(options.logs ?? []),
    limiter: () => createRateLimiter(),
    countRequest: (status) => {
      requests[status] = (requests[status] ?? 0) + 1;
    },
    settings: {},
  };
  for await (const batch of glacier.fetch(ctx)) {
    batches.push(batch);
    cursor = batch.cursor;
    if (options.stopAfter !== undefined && batches.length >= options.stopAfter)
      break;
  }
  return { batches, cursor, requests };
}

/** Every record of the batches, as [key, value] pairs. */
export function recordsOf(batches: SourceBatch[]): Array<[string, unknown]> {
  return batches.flatMap((b) =>
    b.records.map((r) => [r.key, r.value] as [string, unknown]),
  );
}

/** Points the SDK at a loopback endpoint with dummy credentials. */
export function useEndpoint(url: string): void {
  process.env.AWS_ENDPOINT_URL_GLACIER = url;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_MAX_ATTEMPTS = '3';
  process.env.AWS_RETRY_MODE = 'standard';
}
