import type { RateLimiter, SourceContext } from '@backfill/plugin-kit';
import { PluginError } from '@backfill/plugin-kit';
import { Connection } from '@solana/web3.js';

import { endpointOrigin } from './endpoint.ts';
import { type PlainResponse, plainFetch } from './transport.ts';

/** A JSON-RPC reply as the node sent it, unvalidated (parsed tolerantly). */
interface RpcReply {
  result?: unknown;
  error?: { code: number; message: string };
}

/** One call of a JSON-RPC batch. */
export interface RpcCall {
  method: string;
  params: unknown[];
}

/** Connection internals (web3.js 1.x) that hand back the raw reply. */
interface RawConnection {
  _rpcRequest(method: string, params: unknown[]): Promise<RpcReply>;
  _rpcBatchRequest(
    calls: Array<{ methodName: string; args: unknown[] }>,
  ): Promise<RpcReply[]>;
}

/** Times one request is retried on 429 before the error goes to the engine. */
const RATE_LIMIT_RETRIES = 6;
/** Times a request is retried after a dropped connection. */
const NETWORK_RETRIES = 2;
/** Longest wait for one HTTP reply. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The provider code some nodes use for "too many requests" in a reply. */
const TOO_MANY = 429;

/**
 * The endpoint as the chain source talks to it: web3.js's Connection (its
 * own 429 retry off) for transport, the process-wide limiter of the
 * endpoint for pace, and raw replies, so unknown fields pass through.
 */
export class ChainRpc {
  readonly #connection: RawConnection;
  readonly #limiter: RateLimiter;
  readonly #signal: AbortSignal;

  constructor(
    url: string,
    ctx: SourceContext<unknown>,
    requestsPerSecond: number,
  ) {
    this.#signal = ctx.signal;
    this.#limiter = ctx.limiter(endpointOrigin(url), { requestsPerSecond });
    const limiter = this.#limiter;
    const send = plainFetch(REQUEST_TIMEOUT_MS);
    const observed = async (
      input: string,
      init: Parameters<typeof send>[1],
    ) => {
      let response: PlainResponse;
      try {
        // No signal per request (a listener on the run's signal each, and
        // CPU): an abort stops the walk at the next limiter slot, and a
        // request in flight ends within the timeout.
        response = await send(input, init);
      } catch (error) {
        ctx.countRequest('error');
        throw error;
      }
      ctx.countRequest(statusClass(response.status));
      if (response.status === TOO_MANY) {
        const wait = retryAfterMs(response.headers.get('retry-after'));
        limiter.penalize(wait);
        await response.body?.cancel();
        throw rateLimited(wait);
      }
      if (!response.ok) throw await httpError(response);
      return response;
    };
    this.#connection = new Connection(url, {
      commitment: 'finalized',
      disableRetryOnRateLimit: true,
      fetch: observed as never,
      httpAgent: false,
    }) as unknown as RawConnection;
  }

  /** The result of one call; a node error becomes a PluginError. */
  async call<T>(method: string, params: unknown[]): Promise<T> {
    const reply = await this.#attempt(() =>
      this.#connection._rpcRequest(method, params).then((one) => {
        if (one.error?.code === TOO_MANY) throw this.#limitedInReply();
        return one;
      }),
    );
    if (reply.error) throw nodeError(method, reply.error);
    return reply.result as T;
  }

  /**
   * The replies of several calls sent as one JSON-RPC batch, in order. A
   * 429 inside a 200 reply pauses the endpoint and resends the batch.
   */
  async batch(calls: RpcCall[]): Promise<RpcReply[]> {
    if (calls.length === 0) return [];
    const request = calls.map((call) => ({
      methodName: call.method,
      args: call.params,
    }));
    return this.#attempt(async () => {
      const replies = await this.#connection._rpcBatchRequest(request);
      if (replies.some((one) => one.error?.code === TOO_MANY)) {
        throw this.#limitedInReply();
      }
      return replies;
    });
  }

  async #attempt<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const release = await this.#limiter.acquire(this.#signal);
      try {
        const value = await send();
        this.#limiter.succeed();
        return value;
      } catch (error) {
        this.#signal.throwIfAborted();
        if (!retryable(error, attempt)) throw asPluginError(error);
      } finally {
        release();
      }
    }
  }

  #limitedInReply(): PluginError {
    this.#limiter.penalize();
    return rateLimited(undefined);
  }
}

/** Turns a node's JSON-RPC error into a PluginError with a stable code. */
export function nodeError(
  method: string,
  error: { code: number; message: string },
): PluginError {
  // Bad params or an unsupported version do not get better on retry.
  const fatal = error.code === -32602 || error.code === -32015;
  return new PluginError(`${method}: ${error.message}`, {
    code: `CHAIN_RPC_NODE_ERROR`,
    errorClass: fatal ? 'fatal' : 'retriable',
    details: { method, rpcCode: error.code },
  });
}

// ---------------------------------------------------------------------------

function retryable(error: unknown, attempt: number): boolean {
  if (PluginError.is(error)) {
    return error.errorClass === 'rate_limited' && attempt < RATE_LIMIT_RETRIES;
  }
  return attempt < NETWORK_RETRIES;
}

function asPluginError(error: unknown): unknown {
  if (PluginError.is(error)) return error;
  if (error instanceof Error && error.name === 'AbortError') return error;
  return new PluginError(
    `the RPC endpoint is unreachable: ${networkReason(error)}; ` +
      'check rpc_url (or SOLANA_RPC_URL) and the network',
    { code: 'CHAIN_RPC_UNREACHABLE', errorClass: 'retriable', cause: error },
  );
}

/**
 * The useful words of a network failure, once: fetch says only "fetch
 * failed" and keeps the reason (getaddrinfo ENOTFOUND ...) in its cause,
 * while other layers repeat the cause inside their own message.
 */
export function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : '';
  const own = error.message;
  if (!cause || own.includes(cause)) return own;
  if (cause.includes(own) || own === 'fetch failed') return cause;
  return `${own} (${cause})`;
}

function rateLimited(retryAfter: number | undefined): PluginError {
  return new PluginError('the RPC endpoint answered: too many requests', {
    code: 'CHAIN_RPC_RATE_LIMITED',
    errorClass: 'rate_limited',
    retryAfterMs: retryAfter,
  });
}

async function httpError(response: PlainResponse): Promise<PluginError> {
  const text = (await response.text()).slice(0, 200);
  const status = response.status;
  const hint =
    status === 401 || status === 403
      ? '; check the endpoint key, or set batch_rpc: false if it refuses batches'
      : '';
  return new PluginError(`the RPC endpoint answered HTTP ${status}${hint}`, {
    code: `CHAIN_RPC_HTTP_${status}`,
    errorClass: status >= 500 ? 'retriable' : 'fatal',
    details: { status, body: text },
  });
}

/** Retry-After in ms: seconds or an HTTP date; undefined when absent. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function statusClass(status: number): '2xx' | '3xx' | '4xx' | '5xx' {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}
