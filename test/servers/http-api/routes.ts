import type { ApiRecord } from './dataset.ts';

/** What a route answers: a reply, or a trap that never completes. */
export type Answer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { hang: 'headers' | 'body' };

export interface RouteInput {
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  records: ApiRecord[];
  pageSize: number;
  /** This server's origin, and the second server's, for absolute links. */
  origin: string;
  otherOrigin: string;
}

type Route = (input: RouteInput) => Answer;

/** Every path the API serves: a pagination style or a trap each. */
export const ROUTES: Record<string, Route> = {
  '/single': ({ records }) => ok(records),

  '/cursor': (input) => {
    const offset = decodeToken(input.query.get('cursor'));
    const { page, end } = slice(input, offset);
    return ok({
      data: page,
      next_cursor: end ? null : encodeToken(offset + page.length),
    });
  },
  '/post-cursor': (input) => {
    const sent = JSON.parse(input.body || 'null') as { kind?: string } | null;
    if (sent?.kind !== 'loans') return { status: 400, body: { error: 'kind' } };
    return ROUTES['/cursor']!(input);
  },

  '/offset': (input) => offsetPage(input, input.records.length),
  '/offset-null-total': (input) => offsetPage(input, null),
  '/has-more': (input) => {
    const offset = Number(input.query.get('offset') ?? 0);
    const { page, end } = slice(input, offset);
    return ok({ data: page, has_more: !end });
  },

  '/page': (input) => {
    const number = Number(input.query.get('page') ?? 1);
    const size = Number(input.query.get('per_page') ?? input.pageSize);
    const page = input.records.slice((number - 1) * size, number * size);
    return ok({ items: page, page: number, total: input.records.length });
  },

  '/link': (input) => {
    const number = Number(input.query.get('page') ?? 1);
    const page = input.records.slice(
      (number - 1) * input.pageSize,
      number * input.pageSize,
    );
    const more = number * input.pageSize < input.records.length;
    const headers: Record<string, string> = more
      ? {
          link:
            `<${input.origin}/link?page=1>; rel="first", ` +
            `</link?page=${number + 1}>; rel="next"`,
        }
      : {};
    return { status: 200, headers, body: page };
  },

  '/next-url': (input) => {
    const offset = Number(input.query.get('from') ?? 0);
    const { page, end } = slice(input, offset);
    const next = end
      ? null
      : `${input.origin}/next-url?from=${offset + page.length}`;
    return ok({ data: page, next });
  },

  // Traps.

  /** Page 1 says "next: A"; page A says "next: A" again. */
  '/repeat-token': (input) => {
    const token = input.query.get('cursor');
    const offset = token === null ? 0 : input.pageSize;
    return ok({ data: slice(input, offset).page, next_cursor: 'A' });
  },
  /** Tokens A, B, A: a cycle of two. */
  '/cycle': (input) => {
    const order = [null, 'A', 'B'];
    const at = order.indexOf(input.query.get('cursor'));
    const next = at === 2 ? 'A' : order[at + 1];
    return ok({
      data: slice(input, at * input.pageSize).page,
      next_cursor: next,
    });
  },
  /** Past the end it serves its full last page again, forever. */
  '/stuck-offset': (input) => {
    const size = input.pageSize;
    const last = Math.max(0, input.records.length - size);
    const offset = Math.min(Number(input.query.get('offset') ?? 0), last);
    return ok({
      results: input.records.slice(offset, offset + size),
      has_more: true,
    });
  },
  '/redirect-away': (input) => ({
    status: 302,
    headers: { location: `${input.otherOrigin}/single` },
  }),
  /** A Link to the other origin: credentials must not follow it. */
  '/link-away': (input) => ({
    status: 200,
    headers: { link: `<${input.otherOrigin}/single>; rel="next"` },
    body: input.records.slice(0, input.pageSize),
  }),
  '/redirect-home': () => ({ status: 307, headers: { location: '/single' } }),
  /** A 400 whose body echoes the credential, as careless APIs do. */
  '/echo-400': (input) => ({
    status: 400,
    body: { error: `invalid credentials: ${input.headers.authorization}` },
  }),
  '/not-json': () => ({
    status: 200,
    headers: { 'content-type': 'text/html' },
    body: '<html>maintenance</html>',
  }),
  '/no-id': () => ok([{ id: 'x1' }, { name: 'no key here' }]),
  '/hang': () => ({ hang: 'headers' }),
  '/hang-body': () => ({ hang: 'body' }),
};

// ---------------------------------------------------------------------------

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function slice(input: RouteInput, offset: number) {
  const size = Number(input.query.get('limit') ?? input.pageSize);
  const page = input.records.slice(offset, offset + size);
  return { page, end: offset + page.length >= input.records.length };
}

function offsetPage(input: RouteInput, total: number | null): Answer {
  const offset = Number(input.query.get('offset') ?? 0);
  return ok({ results: slice(input, offset).page, total });
}

function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeToken(token: string | null): number {
  if (token === null) return 0;
  return Number(Buffer.from(token, 'base64url').toString().split(':')[1]);
}
