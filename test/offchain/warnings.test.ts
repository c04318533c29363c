import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  type HttpApiServer,
  idsBetween,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { drain, handMadeContext, type LogLine } from './context.ts';

let api: HttpApiServer;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 30, pageSize: 10 });
});
afterAll(() => api.close());
let mark = 0;
beforeEach(() => {
  mark = api.requests.length;
});

function asked(path: string): string[] {
  return api.requests
    .slice(mark)
    .filter((r) => r.path === path)
    .map((r) => new URLSearchParams(r.query).toString());
}

function warnings(logs: LogLine[]): LogLine[] {
  return logs.filter((line) => line.level === 'warn');
}

const page = (body: unknown) => ({ status: 200, body });

describe('an empty page that names a next page', () => {
  const advice =
    ': the walk stops here, as at every empty page, and fetches no page ' +
    'after it; if the API filters records out of its pages, later pages ' +
    'may hold more: filter with a transform instead of a query parameter, ' +
    'or raise page_size';

  it('with a next token: stops, with a warning naming the page', async () => {
    api.queue(
      '/filtered-cursor',
      page({ data: api.records.slice(0, 10), next_cursor: 'p2' }),
      page({ data: [], next_cursor: 'p3' }),
    );
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/filtered-cursor`,
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(1, 10));
    expect(asked('/filtered-cursor')).toEqual(['', 'cursor=p2']);
    expect(warnings(logs)).toEqual([
      {
        level: 'warn',
        msg: `empty page although the API gave a next token${advice}`,
        fields: { page: 2, url: `${api.url}/filtered-cursor?cursor=p2` },
      },
    ]);
  });

  it('with a next URL, on the first page: the same warning', async () => {
    api.queue(
      '/filtered-next',
      page({ data: [], next: `${api.url}/filtered-next?from=10` }),
    );
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/filtered-next`,
      query_params: { api_key: 'key-filtered-0001' },
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual([]);
    expect(asked('/filtered-next')).toEqual(['api_key=key-filtered-0001']);
    expect(warnings(logs)).toEqual([
      {
        level: 'warn',
        msg: `empty page although the API gave a next URL${advice}`,
        fields: {
          page: 1,
          url: `${api.url}/filtered-next?api_key=[REDACTED]`,
        },
      },
    ]);
  });

  it('is no warning when the empty page names no next page', async () => {
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/offset-null-total`,
      pagination: { style: 'offset', total_path: 'total' },
    });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(1, 30));
    expect(asked('/offset-null-total')).toHaveLength(4);
    expect(warnings(logs)).toEqual([]);
  });
});

describe('records of one page with the same key', () => {
  it('are all yielded, with one warning for the page', async () => {
    api.queue(
      '/dupes',
      page({
        data: [
          { id: 1, v: 'a' },
          { id: 1, v: 'b' },
          { id: 2, v: 'c' },
          { id: 2, v: 'd' },
          { id: 3, v: 'e' },
        ],
        next_cursor: 'p2',
      }),
      page({ data: [{ id: 4 }, { id: 5 }], next_cursor: null }),
    );
    const { ctx, logs } = handMadeContext({ api_endpoint: `${api.url}/dupes` });
    const { keys, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(['1', '1', '2', '2', '3', '4', '5']);
    expect(warnings(logs)).toEqual([
      {
        level: 'warn',
        msg:
          '2 records repeat the key of an earlier record of the same page ' +
          '(key "1"): the later record replaces the earlier one; check ' +
          'key_field',
        fields: { page: 1, url: `${api.url}/dupes`, repeated: 2, key: '1' },
      },
    ]);
  });
});

describe('an incremental field no record has', () => {
  const warning = (page: number) => ({
    level: 'warn',
    msg:
      'no record of the page has the incremental field "nosuchfield", so ' +
      'progress cannot be computed from it (the walk goes on); set ' +
      "incremental.field to a field of the API's records",
    fields: {
      page,
      url:
        `${api.url}/cursor?since=2026-01-01T00%3A00%3A00.000Z` +
        (page === 1 ? '' : '&cursor=b2Zmc2V0OjEw'),
      field: 'nosuchfield',
    },
  });

  it('is named once a walk, and the walk goes on', async () => {
    const { ctx, logs } = handMadeContext({
      api_endpoint: `${api.url}/cursor`,
      incremental: { field: 'nosuchfield', param: 'since' },
    });
    const { keys, batches, error } = await drain(ctx);
    expect(error).toBeNull();
    expect(keys).toEqual(idsBetween(1, 30));
    expect(batches.map((b) => b.progress)).toEqual([undefined, undefined, 1]);
    expect(warnings(logs)).toEqual([warning(1)]);
  });

  it('is no warning when the records have it, nested or not', async () => {
    for (const field of ['updated_at', 'meta.updated_at']) {
      api.queue(
        '/nested-field',
        page(api.records.slice(0, 2).map((r) => ({ ...r, meta: r }))),
      );
      const { ctx, logs } = handMadeContext({
        api_endpoint: `${api.url}/nested-field`,
        pagination: { style: 'none' },
        incremental: { field, param: 'since' },
      });
      const { keys } = await drain(ctx);
      expect(keys).toEqual(idsBetween(1, 2));
      expect(warnings(logs)).toEqual([]);
    }
  });
});
