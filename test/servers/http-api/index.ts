import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

import { type ApiRecord, makeDataset } from './dataset.ts';
import { type Answer, ROUTES } from './routes.ts';

export type { ApiRecord } from './dataset.ts';
export { DATASET_FROM, idsBetween, makeDataset } from './dataset.ts';

/** One request either server received, in arrival order. */
export interface LoggedRequest {
  /** `main`, or `other` for the second origin redirects go to. */
  server: 'main' | 'other';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Date.now() on arrival. */
  at: number;
}

/** A reply served once, ahead of the route, to the next request for it. */
export interface QueuedReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface HttpApiServerOptions {
  /** Records in the dataset. Default 25. */
  records?: number;
  /** Records per page when the request names no size. Default 10. */
  pageSize?: number;
}

export interface HttpApiServer {
  /** `http://127.0.0.1:PORT` of the main server. */
  url: string;
  /** The second server, on another port: another origin. */
  otherUrl: string;
  /** Every request both servers received. */
  requests: LoggedRequest[];
  records: ApiRecord[];
  /**
   * Serves `replies` one by one to the next requests for `path`, before
   * its route answers again: 429 with Retry-After, bursts of 500.
   */
  queue(path: string, ...replies: QueuedReply[]): void;
  close(): Promise<void>;
}

/**
 * A loopback JSON API serving each pagination style and each trap of
 * routes.ts, plus a second origin for redirects. Binds 127.0.0.1, port 0.
 */
export async function startHttpApiServer(
  options: HttpApiServerOptions = {},
): Promise<HttpApiServer> {
  const records = makeDataset(options.records ?? 25);
  const pageSize = options.pageSize ?? 10;
  const requests: LoggedRequest[] = [];
  const queues = new Map<string, QueuedReply[]>();
  const origins = { main: '', other: '' };

  const serve =
    (server: 'main' | 'other') =>
    async (req: IncomingMessage, res: ServerResponse) => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', origins[server]);
      requests.push({
        server,
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...req.headers },
        body,
        at: Date.now(),
      });
      const queued = queues.get(`${server}:${url.pathname}`)?.shift();
      const route = ROUTES[url.pathname];
      const answer: Answer =
        queued ??
        (route
          ? route({
              path: url.pathname,
              query: url.searchParams,
              headers: req.headers,
              body,
              records,
              pageSize,
              origin: origins[server],
              otherOrigin: origins.other,
            })
          : { status: 404, body: { error: `no route ${url.pathname}` } });
      send(res, answer);
    };

  const main = createServer(serve('main'));
  const other = createServer(serve('other'));
  origins.main = await listen(main);
  origins.other = await listen(other);

  return {
    url: origins.main,
    otherUrl: origins.other,
    requests,
    records,
    queue(path, ...replies) {
      const key = `main:${path}`;
      queues.set(key, [...(queues.get(key) ?? []), ...replies]);
    },
    async close() {
      await Promise.all([stop(main), stop(other)]);
    },
  };
}

// ---------------------------------------------------------------------------

function send(res: ServerResponse, answer: Answer): void {
  if ('hang' in answer) {
    // Headers and half a body, then nothing: the body timeout must fire.
    if (answer.hang === 'body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data": [');
    }
    return;
  }
  const headers = { ...answer.headers };
  let payload = '';
  if (answer.body !== undefined) {
    payload =
      typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(answer.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Hung requests would hold close() open forever.
    server.closeAllConnections();
  });
}
