import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import { generatedHistory } from '../../fixtures/solana/generate.ts';
import { type ChainHistory, type Json, mergeHistories } from './history.ts';
import {
  METHODS,
  type MethodOptions,
  RpcFault,
  type SkippedSlotStyle,
} from './methods.ts';
import { recordedHistory } from './recorded.ts';

export interface SolanaRpcServerOptions {
  /** Default: the recorded data beside the generated marginfi/Lavarage. */
  history?: ChainHistory;
  /** Delay before each HTTP reply, ms. Default 0. */
  latencyMs?: number;
  /**
   * HTTP requests (1-based) answered "too many requests": with status 429
   * and Retry-After, or, with `inBatchReply`, as 200 with each batch item
   * an error of code 429 (as some providers do).
   */
  rateLimit?: {
    requests: number[];
    retryAfterSeconds?: number;
    inBatchReply?: boolean;
  };
  /** How getBlockTime answers for a skipped slot. Default -32007. */
  skippedSlotStyle?: SkippedSlotStyle;
  /** Signatures answering null this many times before their body. */
  lateTransactions?: Record<string, number>;
  /** Refuse JSON-RPC batches, as many public providers do. */
  refuseBatches?: boolean;
}

/** What the server saw: HTTP requests, JSON-RPC calls by method, batches. */
export interface SolanaRpcStats {
  httpRequests: number;
  byMethod: Record<string, number>;
  batches: number;
  rateLimited: number;
}

export interface SolanaRpcServer {
  url: string;
  stats: SolanaRpcStats;
  close(): Promise<void>;
}

/** The default ledger: recorded mainnet/devnet data plus generated history. */
export function defaultHistory(): ChainHistory {
  return mergeHistories([generatedHistory(), recordedHistory()]);
}

/**
 * A loopback Solana JSON-RPC node over `history`, on 127.0.0.1 and a free
 * port, with the semantics of the methods the chain source calls.
 */
export async function startSolanaRpcServer(
  options: SolanaRpcServerOptions = {},
): Promise<SolanaRpcServer> {
  const history = options.history ?? defaultHistory();
  const limited = new Set(options.rateLimit?.requests ?? []);
  const retryAfter = String(options.rateLimit?.retryAfterSeconds ?? 1);
  const methodOptions: MethodOptions = {
    skippedSlotStyle: options.skippedSlotStyle ?? -32007,
    lateTransactions: new Map(Object.entries(options.lateTransactions ?? {})),
  };
  const stats: SolanaRpcStats = {
    httpRequests: 0,
    byMethod: {},
    batches: 0,
    rateLimited: 0,
  };

  const server = createServer(async (request, response) => {
    if (request.method === 'GET' && request.url === '/stats') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(stats));
      return;
    }
    const number = ++stats.httpRequests;
    const body = await readBody(request);
    if (options.latencyMs) await delay(options.latencyMs);
    const send = (status: number, payload: Json, headers = {}) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        ...headers,
      });
      response.end(JSON.stringify(payload));
    };

    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(200, failure(null, -32700, 'Parse error'));
    }
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    if (Array.isArray(parsed)) stats.batches++;
    for (const call of calls) {
      const method = String((call as { method?: unknown })?.method);
      stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    }

    if (limited.has(number)) {
      stats.rateLimited++;
      if (options.rateLimit?.inBatchReply && Array.isArray(parsed)) {
        return send(
          200,
          calls.map((call) =>
            failure(
              idOf(call),
              429,
              'Too many requests for a specific RPC call',
            ),
          ),
        );
      }
      return send(429, failure(null, 429, 'Too many requests'), {
        'retry-after': retryAfter,
      });
    }
    if (Array.isArray(parsed) && options.refuseBatches) {
      return send(
        403,
        failure(null, -32600, 'Batch requests are not allowed on this plan'),
      );
    }

    const answers = calls.map((call) => answer(history, call, methodOptions));
    send(200, Array.isArray(parsed) ? answers : (answers[0] as Json));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// ---------------------------------------------------------------------------

function answer(
  history: ChainHistory,
  call: unknown,
  options: MethodOptions,
): Json {
  const { method, params = [] } = (call ?? {}) as {
    method?: string;
    params?: unknown[];
  };
  const id = idOf(call);
  const handler = method ? METHODS[method] : undefined;
  if (!handler) return failure(id, -32601, 'Method not found');
  try {
    return { jsonrpc: '2.0', result: handler(history, params, options), id };
  } catch (error) {
    if (error instanceof RpcFault) {
      return failure(id, error.code, error.message);
    }
    return failure(id, -32603, `Internal error: ${String(error)}`);
  }
}

function idOf(call: unknown): Json {
  const id = (call as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function failure(id: Json, code: number, message: string): Json {
  return { jsonrpc: '2.0', error: { code, message }, id };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
