import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  type HttpApiServer,
  idsBetween,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { drain, handMadeContext } from './context.ts';

let api: HttpApiServer;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 30, pageSize: 10 });
});
afterAll(() => api.close());
let mark = 0;
beforeEach(() => {
  mark = api.requests.length;
});

function asked(path: string) {
  return api.requests.slice(mark).filter((r) => r.path === path);
}

const quick = { attempts: 3, base_delay_ms: 1, max_delay_ms: 5000 };

describe('retries', () => {
  it('a 429 with Retry-After in seconds waits that long, then goes on', async () => {
    api.queue('/cursor', { status: 429, headers: { 'retry-after': '1' } });
    const { ctx, counts, logs } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      retry: quick,
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(1, 30));
    const [refused, accepted] = asked('/cursor');
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(950);
    expect(counts).toEqual({ '4xx': 1, '2xx': 3 });
    const retry = logs.find((line) => line.msg === 'retrying request');
    expect(retry?.fields.delayMs).toBe(1000);
  });

  it('a 429 with a Retry-After date beyond the cap goes to the engine', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    api.queue('/cursor', { status: 429, headers: { 'retry-after': inAnHour } });
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      retry: quick,
    });
    const { keys, error } = await drain(ctx);
    expect(keys).toEqual([]);
    expect(error?.code).toBe('OFFCHAIN_RATE_LIMITED');
    expect(error?.errorClass).toBe('rate_limited');
    expect(error?.retryAfterMs).toBeGreaterThan(3_590_000);
    expect(error?.retryAfterMs).toBeLessThanOrEqual(3_600_000);
    expect(asked('/cursor')).toHaveLength(1);
  });

  it('says how long a Retry-After beyond the cap asks to wait', async () => {
    api.queue('/cursor', { status: 429, headers: { 'retry-after': '3600' } });
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      retry: quick,
    });
    const { error } = await drain(ctx);
    expect(error?.retryAfterMs).toBe(3_600_000);
    expect(error?.message).toBe(
      'page 1: the API answered 429 Too Many Requests; it asks to wait ' +
        '3600 s (Retry-After), longer than retry.max_delay_ms (' +
        `${quick.max_delay_ms / 1000} s): the engine's retry policy ` +
        'decides whether to wait that long',
    );
  });

  it('a burst of 500s shorter than the attempts is ridden out', async () => {
    const fail = { status: 500, body: { error: 'overloaded' } };
    api.queue('/cursor', fail, fail);
    const { ctx, counts } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      retry: quick,
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(1, 30));
    expect(counts).toEqual({ '5xx': 2, '2xx': 3 });
  });

  it('a burst of 500s as long as the attempts is a retriable error', async () => {
    const fail = { status: 503, body: { error: 'overloaded' } };
    api.queue('/cursor', fail, fail, fail);
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      retry: quick,
    });
    const { error } = await drain(ctx);
    expect(error?.code).toBe('OFFCHAIN_SERVER_ERROR');
    expect(error?.errorClass).toBe('retriable');
    expect(error?.message).toBe(
      'page 1: the API answered 503: "{"error":"overloaded"}"',
    );
  });

  it('a server that never answers trips the headers timeout', async () => {
    const { ctx, counts } = handMadeContext({
      api_endpoint: `${api.url}/hang`,
      timeouts: { headers_ms: 150 },
      retry: { attempts: 2, base_delay_ms: 1 },
    });
    const { error } = await drain(ctx);
    expect(error?.code).toBe('OFFCHAIN_TIMEOUT');
    expect(error?.errorClass).toBe('retriable');
    expect(error?.message).toBe(
      `page 1: the request to ${api.url}/hang waiting for the headers timed out`,
    );
    expect(asked('/hang')).toHaveLength(2);
    expect(counts).toEqual({ error: 2 });
  });

  it('a body that stalls half way trips the body timeout', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/hang-body`,
      timeouts: { body_ms: 150 },
      retry: { attempts: 1 },
    });
    const { error } = await drain(ctx);
    expect(error?.code).toBe('OFFCHAIN_TIMEOUT');
    expect(error?.message).toContain('reading the body timed out');
  });

  it('an abort stops a request in flight at once, without retrying', async () => {
    const controller = new AbortController();
    const { ctx } = handMadeContext(
      { api_endpoint: `${api.url}/hang`, retry: quick },
      { signal: controller.signal },
    );
    const drained = drain(ctx);
    while (asked('/hang').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort();
    const { error } = await drained;
    expect(error?.name).toBe('AbortError');
    expect(asked('/hang')).toHaveLength(1);
  });

  it('an abort stops a body that stalls half way, without retrying', async () => {
    const controller = new AbortController();
    const { ctx } = handMadeContext(
      { api_endpoint: `${api.url}/hang-body`, retry: quick },
      { signal: controller.signal },
    );
    const drained = drain(ctx);
    while (asked('/hang-body').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort();
    const { error } = await drained;
    expect(error?.name).toBe('AbortError');
    expect(asked('/hang-body')).toHaveLength(1);
  });

  it('a refused connection is a retriable error', async () => {
    const gone = await startHttpApiServer();
    await gone.close();
    const { ctx } = handMadeContext({
      api_endpoint: `${gone.url}/single`,
      retry: { attempts: 1 },
    });
    const { error } = await drain(ctx);
    expect(error?.code).toBe('OFFCHAIN_CONNECTION');
    expect(error?.errorClass).toBe('retriable');
  });
});

describe('loops stop with an error instead of looping', () => {
  it('a repeated token', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/repeat-token`,
    });
    const { keys, error } = await drain(ctx);
    expect(keys).toEqual(idsBetween(1, 20));
    expect(error?.code).toBe('OFFCHAIN_CURSOR_REPEATED');
    expect(error?.errorClass).toBe('fatal');
    expect(error?.message).toBe(
      `page 2 of ${api.url}/repeat-token?cursor=A: the next token "A" was ` +
        'followed before in this chunk; the API is cycling, so the walk ' +
        'stops here',
    );
    expect(asked('/repeat-token').map((r) => r.query)).toEqual([
      {},
      { cursor: 'A' },
    ]);
  });

  it('a cycle of tokens A, B, A', async () => {
    const { ctx } = handMadeContext({ api_endpoint: `${api.url}/cycle` });
    const { keys, error } = await drain(ctx);
    expect(keys).toEqual(idsBetween(1, 30));
    expect(error?.code).toBe('OFFCHAIN_CURSOR_REPEATED');
    expect(asked('/cycle').map((r) => r.query.cursor)).toEqual([
      undefined,
      'A',
      'B',
    ]);
  });

  it('the loop error repeats on resume, without fetching again', async () => {
    const first = handMadeContext({ api_endpoint: `${api.url}/cycle` });
    const { batches } = await drain(first.ctx);
    mark = api.requests.length;
    const again = handMadeContext(
      { api_endpoint: `${api.url}/cycle` },
      { cursor: batches.at(-1)!.cursor },
    );
    const { keys, error } = await drain(again.ctx);
    expect(keys).toEqual([]);
    expect(error?.code).toBe('OFFCHAIN_CURSOR_REPEATED');
    expect(asked('/cycle')).toHaveLength(0);
  });

  it('a full last page served again', async () => {
    const stuck = await startHttpApiServer({ records: 20, pageSize: 10 });
    try {
      const { ctx } = handMadeContext({
        api_endpoint: `${stuck.url}/stuck-offset`,
        pagination: { style: 'offset' },
      });
      const { keys, error } = await drain(ctx);
      expect(keys).toEqual(idsBetween(1, 20));
      expect(error?.code).toBe('OFFCHAIN_PAGE_REPEATED');
      expect(error?.message).toBe(
        `page 3 of ${stuck.url}/stuck-offset?offset=20: the same 10 records ` +
          'as the page before; the API ignores the paging parameters or ' +
          'serves its last page again, so the walk stops here instead of ' +
          'looping',
      );
      expect(stuck.requests).toHaveLength(3);
    } finally {
      await stuck.close();
    }
  });

  it('max_pages stops the walk with a warning', async () => {
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      max_pages: 2,
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(1, 20));
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'max_pages reached: the rest of the pages are not fetched',
    ]);
  });
});

describe('redirects', () => {
  const credentials = {
    auth_token: 'tok-redirect-0001',
    headers: { 'X-Api-Key': 'key-redirect-0002', 'X-Trace': 'trace-1' },
  };

  it('credentials are not sent to another origin', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/redirect-away`,
      ...credentials,
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(1, 30));
    const [away, landed] = api.requests.slice(mark);
    expect(away!.headers.authorization).toBe('Bearer tok-redirect-0001');
    expect(landed!.server).toBe('other');
    expect(landed!.headers.authorization).toBeUndefined();
    expect(landed!.headers['x-api-key']).toBeUndefined();
    expect(landed!.headers['x-trace']).toBe('trace-1');
  });

  it('a header holding a secret value is not sent to another origin', async () => {
    const partner = 'partner-id-5e0c7a';
    const { ctx } = handMadeContext(
      {
        api_endpoint: `${api.url}/redirect-away`,
        headers: {
          'X-Partner': partner,
          'X-Client': `backfill; partner=${partner}`,
          'X-Trace': 'trace-1',
          Cookie: 'session=abcd1234',
        },
      },
      // What the host passes: the pipeline's resolved environment values.
      { settings: { secrets: [partner] } },
    );
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(1, 30));
    const [away, landed] = api.requests.slice(mark);
    expect(away!.headers['x-partner']).toBe(partner);
    expect(away!.headers['x-client']).toBe(`backfill; partner=${partner}`);
    expect(away!.headers.cookie).toBe('session=abcd1234');
    expect(landed!.server).toBe('other');
    expect(landed!.headers['x-partner']).toBeUndefined();
    expect(landed!.headers['x-client']).toBeUndefined();
    expect(landed!.headers.cookie).toBeUndefined();
    expect(landed!.headers['x-trace']).toBe('trace-1');
  });

  it('credentials are not sent to a next link on another origin', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/link-away`,
      ...credentials,
    });
    await drain(ctx);
    const [first, next] = api.requests.slice(mark);
    expect(first!.headers.authorization).toBe('Bearer tok-redirect-0001');
    expect(next!.server).toBe('other');
    expect(next!.headers.authorization).toBeUndefined();
    expect(next!.headers['x-api-key']).toBeUndefined();
  });

  it('credentials follow a redirect on the same origin', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/redirect-home`,
      ...credentials,
    });
    const { keys } = await drain(ctx);
    expect(keys).toEqual(idsBetween(1, 30));
    const landed = api.requests.slice(mark)[1]!;
    expect(landed.path).toBe('/single');
    expect(landed.headers.authorization).toBe('Bearer tok-redirect-0001');
  });
});

describe('replies the source refuses', () => {
  it('a 4xx is fatal, with an excerpt of the body, redacted', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/echo-400`,
      auth_token: 'tok-echoed-0003',
    });
    const { error } = await drain(ctx);
    expect(error?.code).toBe('OFFCHAIN_HTTP_STATUS');
    expect(error?.errorClass).toBe('fatal');
    expect(error?.message).toBe(
      'page 1: the API answered 400: ' +
        '"{"error":"invalid credentials: Bearer [REDACTED]"}"; ' +
        'check api_endpoint, query_params and the pagination settings',
    );
  });

  it('a reply that is not JSON', async () => {
    const { ctx } = handMadeContext({ api_endpoint: `${api.url}/not-json` });
    const { error } = await drain(ctx);
    expect(error?.code).toBe('OFFCHAIN_BODY_NOT_JSON');
    expect(error?.message).toBe(
      `page 1: the reply from ${api.url}/not-json is not JSON: ` +
        '"<html>maintenance</html>"',
    );
  });

  it('a record without its key field names the page and the record', async () => {
    const { ctx } = handMadeContext({ api_endpoint: `${api.url}/no-id` });
    const { keys, error } = await drain(ctx);
    expect(keys).toEqual([]);
    expect(error?.code).toBe('OFFCHAIN_RECORD_KEY_MISSING');
    expect(error?.message).toBe(
      `page 1 of ${api.url}/no-id, record 1: has no "id" field to key it ` +
        'by; set key_field to the field that identifies a record ' +
        '(it has: name)',
    );
  });

  it('a record whose key field is null says it is null', async () => {
    api.queue('/null-id', { status: 200, body: [{ id: 'x1' }, { id: null }] });
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/null-id`,
      pagination: { style: 'none' },
    });
    const { keys, error } = await drain(ctx);
    expect(keys).toEqual([]);
    expect(error?.code).toBe('OFFCHAIN_RECORD_KEY_MISSING');
    expect(error?.message).toBe(
      `page 1 of ${api.url}/null-id, record 1: its "id" field is null, ` +
        'which cannot key the record; set key_field to a field every ' +
        'record has a value in, or have the API fill this one',
    );
  });

  it('an endpoint with a user and password, before any request', async () => {
    const endpoint = api.url.replace('//', '//admin:hunter2pass@');
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${endpoint}/single`,
    });
    const { keys, error } = await drain(ctx);
    expect(keys).toEqual([]);
    expect(error?.code).toBe('OFFCHAIN_ENDPOINT_CREDENTIALS');
    expect(error?.errorClass).toBe('fatal');
    expect(error?.message).toBe(
      `api_endpoint "${api.url.replace('//', '//[REDACTED]@')}/single" ` +
        'holds a user name or password, which the HTTP client does not ' +
        'send; remove it from the URL and send the credential with ' +
        'auth_token or headers (Authorization: Basic ...), from an ' +
        'environment variable',
    );
    expect(JSON.stringify(logs)).not.toContain('hunter2pass');
    expect(api.requests.length).toBe(mark);
  });

  it('a reply larger than max_response_bytes', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/single`,
      max_response_bytes: 200,
    });
    const { error } = await drain(ctx);
    expect(error?.code).toBe('OFFCHAIN_RESPONSE_TOO_LARGE');
    expect(error?.errorClass).toBe('fatal');
  });
});

describe('requests', () => {
  it('POST sends the body on every page', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/post-cursor`,
      method: 'POST',
      body: { kind: 'loans' },
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(1, 30));
    const sent = asked('/post-cursor');
    expect(sent.map((r) => [r.method, r.body])).toEqual([
      ['POST', '{"kind":"loans"}'],
      ['POST', '{"kind":"loans"}'],
      ['POST', '{"kind":"loans"}'],
    ]);
    expect(sent[0]!.headers['content-type']).toBe('application/json');
  });

  it('incremental sends the window, query_params ride on every page', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      query_params: { program: 'marginfi', verbose: true },
      incremental: {
        field: 'updated_at',
        param: 'updated_since',
        until_param: 'updated_before',
      },
    });
    const { batches } = await drain(ctx);
    const sent = asked('/cursor');
    expect(sent[0]!.query).toEqual({
      program: 'marginfi',
      verbose: 'true',
      updated_since: '2026-01-01T00:00:00.000Z',
      updated_before: '2026-01-02T00:00:00.000Z',
    });
    expect(sent[2]!.query.program).toBe('marginfi');
    // r0010 is 9 minutes into a one-day window.
    expect(batches[0]!.progress).toBeCloseTo(9 / 1440, 6);
  });
});
