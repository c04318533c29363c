import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { DaemonError } from './errors.ts';

/** What the daemon answers on its three paths. */
export interface Endpoints {
  /** Prometheus text exposition and its content type. */
  metrics(): Promise<{ contentType: string; body: string }>;
  /** The `/status` JSON document. */
  status(): Promise<unknown>;
  /** False while stopping: `/healthz` answers 503 then. */
  healthy(): boolean;
}

export interface HttpListener {
  /** The port bound (the one chosen by the OS when asked for 0). */
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

/**
 * Serves /metrics, /status and /healthz on a loopback address. The
 * daemon binds 127.0.0.1 only: there is no authentication, so exposing
 * it is left to a reverse proxy the operator configures.
 */
export async function listen(
  endpoints: Endpoints,
  options: { port: number; host?: string },
): Promise<HttpListener> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    respond(endpoints, req, res).catch((error: unknown) => {
      send(res, 500, 'application/json', {
        error: 'internal',
        message: error instanceof Error ? error.message : String(error),
      });
    });
  });
  // Keep-alive sockets of a scraper would hold `close()` open.
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(bindError(error, host, options.port));
    });
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------

async function respond(
  endpoints: Endpoints,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'application/json', { error: 'method not allowed' });
  }
  switch (path) {
    case '/metrics': {
      const { contentType, body } = await endpoints.metrics();
      return send(res, 200, contentType, body);
    }
    case '/status':
      return send(res, 200, 'application/json', await endpoints.status());
    case '/healthz':
      return endpoints.healthy()
        ? send(res, 200, 'application/json', { status: 'ok' })
        : send(res, 503, 'application/json', { status: 'stopping' });
    default:
      return send(res, 404, 'application/json', {
        error: 'not found',
        paths: ['/metrics', '/status', '/healthz'],
      });
  }
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: unknown,
): void {
  const text =
    typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function bindError(
  error: NodeJS.ErrnoException,
  host: string,
  port: number,
): Error {
  if (error.code === 'EADDRINUSE') {
    return new DaemonError(
      'DAEMON_PORT_IN_USE',
      `port ${port} on ${host} is in use by another process; ` +
        'choose another with --port or BACKFILL_PORT',
      { cause: error },
    );
  }
  return new DaemonError(
    'DAEMON_LISTEN_FAILED',
    `cannot listen on ${host}:${port} (${error.code ?? error.message})`,
    { cause: error },
  );
}
