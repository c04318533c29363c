import type {
  Json,
  Logger,
  RateLimiter,
  SourceContext,
} from '@backfill/plugin-kit';
import { PluginError, sleep } from '@backfill/plugin-kit';
import { Agent, type Dispatcher, request } from 'undici';

import { offchainError } from './errors.ts';
import type { PageReply } from './pagination.ts';
import { isSensitiveHeader, type Redactor } from './redact.ts';
import { parseRetryAfter } from './retry-after.ts';

export interface PageClientOptions {
  /** The api_endpoint's origin: the only one credentials are sent to. */
  trustedOrigin: string;
  method: 'GET' | 'POST';
  body: string | undefined;
  /** Every configured header, Authorization included. */
  headers: Record<string, string>;
  /** Secret values: a header holding one stays on `trustedOrigin`. */
  secrets: readonly string[];
  timeouts: { connectMs: number; headersMs: number; bodyMs: number };
  maxResponseBytes: number;
  maxRedirects: number;
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  limiter: RateLimiter;
  countRequest: SourceContext['countRequest'];
  logger: Logger;
  redactor: Redactor;
  signal: AbortSignal;
}

/**
 * Fetches one page as JSON: within the rate limit, following redirects
 * (credentials stay on the API's origin), retrying 429, 5xx and connection
 * failures a few times before handing the error to the engine's policy.
 */
export class PageClient {
  readonly #options: PageClientOptions;
  /** The configured headers another origin may see. */
  readonly #foreignHeaders: Record<string, string>;
  readonly #agent: Agent;
  readonly #onAbort: () => void;

  constructor(options: PageClientOptions) {
    this.#options = options;
    this.#foreignHeaders = foreignHeaders(options.headers, options.secrets);
    const agent = new Agent({
      connectTimeout: options.timeouts.connectMs,
      headersTimeout: options.timeouts.headersMs,
      bodyTimeout: options.timeouts.bodyMs,
      maxResponseSize: options.maxResponseBytes,
    });
    this.#agent = agent;
    // A stop destroys the Agent, which fails the request in flight at
    // once: one listener a walk, where a signal on every request cost a
    // few percent of throughput.
    this.#onAbort = () => {
      const reason = options.signal.reason;
      agent.destroy(reason instanceof Error ? reason : null).catch(() => {});
    };
    options.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** The page at `url`; `where` names it in errors (`page 3`). */
  async fetchPage(url: URL, where: string): Promise<PageReply> {
    const { retry, limiter, logger, redactor, signal } = this.#options;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= retry.attempts;
      let failure: Failure;
      try {
        const release = await limiter.acquire(signal);
        try {
          const outcome = await this.#exchange(url, where);
          if ('reply' in outcome) {
            limiter.succeed();
            return outcome.reply;
          }
          failure = outcome;
        } finally {
          release();
        }
      } catch (error) {
        signal.throwIfAborted();
        failure = this.#networkFailure(error, url, where);
      }

      const delay = failure.retryAfterMs ?? backoff(retry.baseDelayMs, attempt);
      if (failure.status === 429) limiter.penalize(delay);
      if (delay > retry.maxDelayMs && failure.retryAfterMs !== undefined) {
        // The wait is the news here: say it, and who decides next.
        throw withMessage(
          failure.error,
          `${failure.error.message}; it asks to wait ${seconds(delay)} ` +
            `(Retry-After), longer than retry.max_delay_ms ` +
            `(${seconds(retry.maxDelayMs)}): the engine's retry policy ` +
            'decides whether to wait that long',
        );
      }
      if (last || delay > retry.maxDelayMs) throw failure.error;
      logger.info(
        {
          reason: redactor.text(failure.error.message),
          attempt,
          delayMs: delay,
          url: redactor.url(url),
        },
        'retrying request',
      );
      // After a 429 the limiter itself holds the next slot back.
      if (failure.status !== 429) await sleep(delay, signal);
    }
  }

  /** Releases the Agent's sockets. */
  async close(): Promise<void> {
    this.#options.signal.removeEventListener('abort', this.#onAbort);
    if (!this.#agent.destroyed) await this.#agent.close();
  }

  // -------------------------------------------------------------------------

  /** One request and its redirects: a reply, or a failure to retry. */
  async #exchange(
    first: URL,
    where: string,
  ): Promise<{ reply: PageReply } | Failure> {
    const { countRequest, redactor, maxRedirects } = this.#options;
    let url = first;
    let method = this.#options.method;
    let body = this.#options.body;
    for (let hops = 0; ; hops++) {
      const response = await request(url, {
        method,
        body,
        headers: this.#headersFor(url, body !== undefined),
        dispatcher: this.#agent,
      });
      const status = response.statusCode;
      countRequest(statusClass(status));
      const location = response.headers.location;
      if (REDIRECTS.has(status) && typeof location === 'string') {
        await response.body.dump();
        if (hops >= maxRedirects) {
          throw offchainError(
            'OFFCHAIN_TOO_MANY_REDIRECTS',
            'fatal',
            `${where}: more than ${maxRedirects} redirects from ` +
              redactor.url(first),
          );
        }
        url = new URL(location, url);
        if (status === 303) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      if (status >= 200 && status < 300) {
        const text = await response.body.text();
        return { reply: { url, headers: response.headers, body: parse(text) } };
      }
      const excerpt = redactor.text(clip(await response.body.text()));
      return this.#statusFailure(status, response.headers, excerpt, where);
    }

    function parse(text: string): Json {
      try {
        return JSON.parse(text) as Json;
      } catch {
        throw offchainError(
          'OFFCHAIN_BODY_NOT_JSON',
          'fatal',
          `${where}: the reply from ${redactor.url(url)} is not JSON: ` +
            `"${redactor.text(clip(text))}"`,
        );
      }
    }
  }

  #statusFailure(
    status: number,
    headers: Dispatcher.ResponseData['headers'],
    excerpt: string,
    where: string,
  ): Failure {
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    const said = excerpt === '' ? '' : `: "${excerpt}"`;
    if (status === 429) {
      const error = offchainError(
        'OFFCHAIN_RATE_LIMITED',
        'rate_limited',
        `${where}: the API answered 429 Too Many Requests${said}`,
        { retryAfterMs, details: { status } },
      );
      return { status, retryAfterMs, error };
    }
    if (status >= 500) {
      const error = offchainError(
        'OFFCHAIN_SERVER_ERROR',
        'retriable',
        `${where}: the API answered ${status}${said}`,
        { retryAfterMs, details: { status } },
      );
      return { status, retryAfterMs, error };
    }
    throw offchainError(
      'OFFCHAIN_HTTP_STATUS',
      'fatal',
      `${where}: the API answered ${status}${said}; ` +
        (status === 401 || status === 403
          ? 'check auth_token and the credential headers'
          : 'check api_endpoint, query_params and the pagination settings'),
      { details: { status } },
    );
  }

  #networkFailure(error: unknown, url: URL, where: string): Failure {
    if (PluginError.is(error)) throw error;
    this.#options.countRequest('error');
    const code = (error as { code?: unknown })?.code;
    const from = this.#options.redactor.url(url);
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
      throw offchainError(
        'OFFCHAIN_RESPONSE_TOO_LARGE',
        'fatal',
        `${where}: the reply from ${from} exceeds max_response_bytes ` +
          `(${this.#options.maxResponseBytes}); raise it or lower page_size`,
      );
    }
    const timeout = typeof code === 'string' && TIMEOUTS.has(code);
    const reason = timeout
      ? `${TIMEOUTS.get(code as string)} timed out`
      : `failed (${typeof code === 'string' ? code : errorName(error)})`;
    return {
      status: 0,
      retryAfterMs: undefined,
      error: offchainError(
        timeout ? 'OFFCHAIN_TIMEOUT' : 'OFFCHAIN_CONNECTION',
        'retriable',
        `${where}: the request to ${from} ${reason}`,
      ),
    };
  }

  /** Credentials go to the API's own origin, never across to another. */
  #headersFor(url: URL, hasBody: boolean): Record<string, string> {
    const trusted = url.origin === this.#options.trustedOrigin;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (hasBody) headers['content-type'] = 'application/json';
    return Object.assign(
      headers,
      trusted ? this.#options.headers : this.#foreignHeaders,
    );
  }
}

// ---------------------------------------------------------------------------

interface Failure {
  /** HTTP status, 0 for a network failure. */
  status: number;
  retryAfterMs: number | undefined;
  error: PluginError;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TIMEOUTS = new Map([
  ['UND_ERR_CONNECT_TIMEOUT', 'connecting'],
  ['UND_ERR_HEADERS_TIMEOUT', 'waiting for the headers'],
  ['UND_ERR_BODY_TIMEOUT', 'reading the body'],
]);
const EXCERPT_CHARS = 300;

/**
 * The headers that may cross to another origin: none with a credential's
 * name, and none whose value holds a secret (`X-Partner: ${PARTNER_ID}`),
 * whatever its name.
 */
function foreignHeaders(
  headers: Record<string, string>,
  secrets: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (isSensitiveHeader(name) || holdsSecret(value, secrets)) continue;
    out[name] = value;
  }
  return out;
}

function holdsSecret(value: string, secrets: readonly string[]): boolean {
  // A short secret (`42`) is matched whole only: inside longer values it
  // would hold back ordinary headers by chance.
  return secrets.some(
    (secret) =>
      secret !== '' &&
      (value === secret || (secret.length >= 4 && value.includes(secret))),
  );
}

function statusClass(status: number): '2xx' | '3xx' | '4xx' | '5xx' {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}

/** Exponential backoff with equal jitter: half fixed, half random. */
function backoff(baseMs: number, attempt: number): number {
  const ceiling = baseMs * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS
    ? `${flat.slice(0, EXCERPT_CHARS)}...`
    : flat;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The same error (code, class, Retry-After) with a fuller message. */
function withMessage(error: PluginError, message: string): PluginError {
  return new PluginError(message, {
    code: error.code,
    errorClass: error.errorClass,
    ...(error.retryAfterMs === undefined
      ? {}
      : { retryAfterMs: error.retryAfterMs }),
    ...(error.details ? { details: error.details } : {}),
  });
}
