import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  type HttpApiServer,
  idsBetween,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { drain, handMadeContext } from './context.ts';

let api: HttpApiServer;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 25, pageSize: 10 });
});
afterAll(() => api.close());
let mark = 0;
beforeEach(() => {
  mark = api.requests.length;
});

/** The queries of this test's requests for `path`, in order. */
function asked(path: string): string[] {
  return api.requests
    .slice(mark)
    .filter((r) => r.server === 'main' && r.path === path)
    .map((r) => new URLSearchParams(r.query).toString());
}

const ALL = idsBetween(1, 25);

describe('each pagination style, configured', () => {
  it('cursor: sends the body token back as a parameter until it is null', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      pagination: { style: 'cursor', cursor_path: 'next_cursor' },
    });
    const { keys, batches, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(ALL);
    expect(batches.map((b) => b.records.length)).toEqual([10, 10, 5]);
    expect(asked('/cursor')).toEqual([
      '',
      'cursor=b2Zmc2V0OjEw',
      'cursor=b2Zmc2V0OjIw',
    ]);
  });

  it('offset: advances by the records received and stops at the total', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/offset`,
      page_size: 10,
      pagination: { style: 'offset' },
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(ALL);
    expect(asked('/offset')).toEqual([
      'limit=10&offset=0',
      'limit=10&offset=10',
      'limit=10&offset=20',
    ]);
  });

  it('offset with total: null ignores the total and stops at an empty page', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/offset-null-total`,
      pagination: { style: 'offset', total_path: 'total' },
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(ALL);
    expect(asked('/offset-null-total')).toEqual([
      'offset=0',
      'offset=10',
      'offset=20',
      'offset=25',
    ]);
  });

  it('page: counts pages from first_page and stops at the total', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/page`,
      records_path: 'items',
      page_size: 10,
      pagination: { style: 'page', first_page: 1 },
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(ALL);
    expect(asked('/page')).toEqual([
      'per_page=10&page=1',
      'per_page=10&page=2',
      'per_page=10&page=3',
    ]);
  });

  it('link: follows rel=next, relative to the page, until there is none', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/link`,
      pagination: { style: 'link' },
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(ALL);
    expect(asked('/link')).toEqual(['', 'page=2', 'page=3']);
  });

  it('next_url: follows the URL in the body until it is null', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/next-url`,
      pagination: { style: 'next_url', next_path: 'next' },
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(ALL);
    expect(asked('/next-url')).toEqual(['', 'from=10', 'from=20']);
  });

  it('none: one request, the whole array', async () => {
    const { ctx } = handMadeContext({
      api_endpoint: `${api.url}/single`,
      pagination: { style: 'none' },
    });
    const { keys, batches } = await drain(ctx);
    expect(keys).toEqual(ALL);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.progress).toBe(1);
  });
});

describe('pagination detected when none is configured (older job lists)', () => {
  const cases: Array<[string, string[]]> = [
    ['/cursor', ['', 'cursor=b2Zmc2V0OjEw', 'cursor=b2Zmc2V0OjIw']],
    ['/link', ['', 'page=2', 'page=3']],
    ['/next-url', ['', 'from=10', 'from=20']],
    ['/has-more', ['', 'offset=10', 'offset=20']],
    ['/offset', ['', 'offset=10', 'offset=20']],
    ['/single', ['']],
  ];
  for (const [path, requests] of cases) {
    it(`${path}: every record once, in ${requests.length} requests`, async () => {
      const { ctx } = handMadeContext({ api_endpoint: `${api.url}${path}` });
      const { keys, error } = await drain(ctx);
      expect(error).toBeNull();
      expect(keys).toEqual(ALL);
      expect(asked(path)).toEqual(requests);
    });
  }
});

describe('resuming from a yielded cursor', () => {
  it('fetches the page after the cursor, and none twice', async () => {
    const params = { api_endpoint: `${api.url}/next-url` };
    const first = handMadeContext(params);
    const iterator = (
      await import('@backfill/source-offchain')
    ).default.sources[0]!.fetch(first.ctx)[Symbol.asyncIterator]();
    const page1 = await iterator.next();
    await iterator.return?.();
    expect(page1.done).toBe(false);

    mark = api.requests.length;
    const resumed = handMadeContext(params, {
      cursor: page1.value!.cursor,
    });
    const { keys, error } = await drain(resumed.ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(11, 25));
    expect(asked('/next-url')).toEqual(['from=10', 'from=20']);
  });

  it('leaves the cursor it resumed from, and each one it yielded, as it was', async () => {
    const params = { api_endpoint: `${api.url}/next-url` };
    const { batches } = await drain(handMadeContext(params).ctx);
    const yielded = batches.map((b) => JSON.stringify(b.cursor));
    const resumedFrom = batches[0]!.cursor;
    const before = JSON.stringify(resumedFrom);
    await drain(handMadeContext(params, { cursor: resumedFrom }).ctx);
    expect(JSON.stringify(resumedFrom)).toBe(before);
    expect(batches.map((b) => JSON.stringify(b.cursor))).toEqual(yielded);
    const seen = batches.map(
      (b) => (b.cursor as { seen: string[] }).seen.length,
    );
    expect(seen).toEqual([2, 3, 3]);
  });

  it('a cursor after the last page fetches nothing', async () => {
    const { ctx } = handMadeContext({ api_endpoint: `${api.url}/cursor` });
    const { batches } = await drain(ctx);
    const before = api.requests.length;
    const again = handMadeContext(
      { api_endpoint: `${api.url}/cursor` },
      { cursor: batches.at(-1)!.cursor },
    );
    const { keys } = await drain(again.ctx);
    expect(keys).toEqual([]);
    expect(api.requests.length).toBe(before);
  });
});

describe('detection of a next token nested in an envelope', () => {
  const envelopes: Array<[string, (next: string | null) => object]> = [
    ['meta.next', (next) => ({ meta: { next } })],
    ['links.next', (next) => ({ links: { next } })],
    [
      'pagination.next_cursor',
      (next) => ({ pagination: { next_cursor: next } }),
    ],
    ['paging.next', (next) => ({ paging: { next } })],
  ];
  for (const [path, envelope] of envelopes) {
    it(`${path}: sent back as cursor, every page fetched, no warning`, async () => {
      const route = `/nested-${path.replace('.', '-')}`;
      const tokens = ['p2', 'p3', null];
      api.queue(
        route,
        ...tokens.map((next, at) => ({
          status: 200,
          body: {
            data: api.records.slice(at * 10, at * 10 + 10),
            ...envelope(next),
          },
        })),
      );
      const { ctx, logs } = handMadeContext({
        api_endpoint: `${api.url}${route}`,
      });
      const { keys, error } = await drain(ctx);
      expect(error).toBeNull();
      expect(keys).toEqual(ALL);
      expect(asked(route)).toEqual(['', 'cursor=p2', 'cursor=p3']);
      expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    });
  }
});

describe('a first reply with no paging signal', () => {
  it('is taken as the whole answer, with a warning naming the endpoint redacted', async () => {
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/single`,
      query_params: { api_key: 'key-single-page-0001' },
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(ALL);
    expect(logs.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        msg:
          'no pagination detected in the first reply: treating the endpoint ' +
          'as a single page; set pagination if it pages',
        fields: { endpoint: `${api.url}/single?api_key=[REDACTED]` },
      },
    ]);
  });

  it('gets no warning when pagination is configured as none', async () => {
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/single`,
      pagination: { style: 'none' },
    });
    await drain(ctx);
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
