import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type HttpApiServer,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { drain, handMadeContext } from './context.ts';

let api: HttpApiServer;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 25, pageSize: 10 });
});
afterAll(() => api.close());

const TOKEN = 'tok-live-7c1f9e2a55';
const API_KEY = 'key-live-0b9d31e4';
const QUERY_SECRET = 'qs-live-5a5a5a5a';
const SECRETS = [TOKEN, API_KEY, QUERY_SECRET];

const credentials = {
  auth_token: TOKEN,
  headers: { 'X-Api-Key': API_KEY },
  query_params: { api_key: QUERY_SECRET, program: 'marginfi' },
  retry: { attempts: 2, base_delay_ms: 1 },
};

/** Everything the source printed: log lines and the error, as text. */
function printed(logs: unknown[], error: Error | null): string {
  return JSON.stringify(logs) + String(error?.message) + String(error?.stack);
}

describe('no credential is ever printed by the source', () => {
  it('not in retry logs, page logs, nor a 5xx error', async () => {
    const echo = { status: 500, body: { error: `bad key ${API_KEY}` } };
    api.queue('/cursor', echo, echo);
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      ...credentials,
    });
    const { error } = await drain(ctx);
    expect(error?.message).toBe(
      'page 1: the API answered 500: "{"error":"bad key [REDACTED]"}"',
    );
    const retry = logs.find((line) => line.msg === 'retrying request');
    expect(retry?.fields.url).toBe(
      `${api.url}/cursor?api_key=[REDACTED]&program=marginfi`,
    );
    const text = printed(logs, error);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('not in a whole walk with debug logs on', async () => {
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      ...credentials,
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toHaveLength(25);
    expect(logs.filter((l) => l.msg === 'page fetched')).toHaveLength(3);
    // The server did get them: the test would pass vacuously otherwise.
    const sent = api.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.query.api_key).toBe(QUERY_SECRET);
    for (const secret of SECRETS) {
      expect(printed(logs, error)).not.toContain(secret);
    }
  });

  it('not in a 4xx excerpt that echoes the Authorization header', async () => {
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/echo-400`,
      ...credentials,
    });
    const { error } = await drain(ctx);
    expect(error?.code).toBe('OFFCHAIN_HTTP_STATUS');
    for (const secret of SECRETS) {
      expect(printed(logs, error)).not.toContain(secret);
    }
  });

  it('not in a timeout error', async () => {
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/hang`,
      ...credentials,
      timeouts: { headers_ms: 100 },
    });
    const { error } = await drain(ctx);
    expect(error?.code).toBe('OFFCHAIN_TIMEOUT');
    for (const secret of SECRETS) {
      expect(printed(logs, error)).not.toContain(secret);
    }
  });
});
