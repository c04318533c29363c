import http from 'node:http';
import https from 'node:https';

/** The part of a fetch Response that web3.js and the source read. */
export interface PlainResponse {
  status: number;
  statusText: string;
  ok: boolean;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  body: { cancel(): Promise<void> };
}

/** What web3.js passes to its `fetch`. */
interface PostInit {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** Sockets kept open to one endpoint: the source's flight, and a margin. */
const MAX_SOCKETS = 32;
/** One second under the Solana RPC's keep-alive timeout, as web3.js does. */
const FREE_SOCKET_TIMEOUT_MS = 19_000;

/** One keep-alive agent per endpoint origin, shared by the process. */
const AGENTS = new Map<string, http.Agent>();

/**
 * A fetch for web3.js over node:http with keep-alive sockets: at hundreds
 * of requests a second, fetch (undici) and its abort signal per request
 * cost the source more CPU than the RPC work itself. The timeout is the
 * socket's: a reply idle for `timeoutMs` fails the request.
 */
export function plainFetch(timeoutMs: number) {
  return (url: string, init: PostInit): Promise<PlainResponse> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const request = (secure ? https : http).request(
        target,
        {
          method: init.method ?? 'POST',
          headers: init.headers,
          agent: agentOf(target, secure),
        },
        (response) => {
          const chunks: Buffer[] = [];
          const body = new Promise<string>((done, fail) => {
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              done(Buffer.concat(chunks).toString('utf8')),
            );
            response.on('error', fail);
          });
          body.catch(() => {});
          const status = response.statusCode ?? 0;
          resolve({
            status,
            statusText: response.statusMessage ?? '',
            ok: status >= 200 && status < 300,
            headers: {
              get: (name) => {
                const value = response.headers[name.toLowerCase()];
                return Array.isArray(value)
                  ? value.join(', ')
                  : (value ?? null);
              },
            },
            text: () => body,
            body: {
              cancel: async () => {
                response.resume();
              },
            },
          });
        },
      );
      request.setTimeout(timeoutMs, () =>
        request.destroy(
          Object.assign(new Error(`no reply within ${timeoutMs} ms`), {
            name: 'TimeoutError',
          }),
        ),
      );
      request.on('error', reject);
      request.end(init.body);
    });
}

function agentOf(target: URL, secure: boolean): http.Agent {
  let agent = AGENTS.get(target.origin);
  if (!agent) {
    const options = {
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      timeout: FREE_SOCKET_TIMEOUT_MS,
    };
    agent = secure ? new https.Agent(options) : new http.Agent(options);
    AGENTS.set(target.origin, agent);
  }
  return agent;
}
