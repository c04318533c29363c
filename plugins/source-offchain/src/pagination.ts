import type { Json } from '@backfill/plugin-kit';

import { readPath } from './json-path.ts';
import { nextLink } from './link-header.ts';
import type { PaginationParams, PaginationStyle } from './params.ts';

/** One reply as pagination sees it. */
export interface PageReply {
  /** The URL that answered, after redirects: relative links resolve on it. */
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Json;
}

/**
 * Pagination with every name resolved: configured, defaulted or detected
 * from the first reply. It travels in the cursor, so a resumed walk pages
 * exactly as it began.
 */
export interface Plan {
  style: PaginationStyle;
  cursor_param: string;
  cursor_path: string | null;
  offset_param: string;
  page_param: string;
  first_page: number;
  limit_param: string;
  next_path: string | null;
  has_more_path: string | null;
  total_path: string | null;
}

/** What a reply says about the pages after it. */
export interface PageSignals {
  /** The next token (cursor) or absolute URL (link, next_url), or null. */
  next: string | null;
  hasMore: boolean | null;
  /** Total records, when the reply says and it is a number. */
  total: number | null;
}

// Field names APIs commonly use, most specific first.
const NEXT_URL_PATHS = [
  'next',
  'next_url',
  'nextUrl',
  'next_page_url',
  'nextPageUrl',
  'links.next',
  'links.next.href',
  '_links.next.href',
  'paging.next',
  'pagination.next',
  'pagination.next_url',
  'meta.next',
  'meta.next_url',
  'meta.links.next',
];
/** Cursor fields, each with the request parameter that carries it back. */
const CURSOR_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['next_cursor', 'cursor'],
  ['nextCursor', 'cursor'],
  ['next_page_token', 'page_token'],
  ['nextPageToken', 'pageToken'],
  ['next_token', 'next_token'],
  ['nextToken', 'nextToken'],
  ['cursor', 'cursor'],
  ['meta.next_cursor', 'cursor'],
  ['pagination.next_cursor', 'cursor'],
  ['paging.cursors.after', 'after'],
  ['next', 'cursor'],
  // Envelopes that nest the next token; the URL forms are above.
  ['meta.next', 'cursor'],
  ['meta.nextCursor', 'cursor'],
  ['meta.cursor', 'cursor'],
  ['links.next', 'cursor'],
  ['pagination.next', 'cursor'],
  ['pagination.nextCursor', 'cursor'],
  ['paging.next', 'cursor'],
  ['paging.next_cursor', 'cursor'],
];
const HAS_MORE_PATHS = ['has_more', 'hasMore', 'meta.has_more'];
const TOTAL_PATHS = [
  'total',
  'total_count',
  'totalCount',
  'meta.total',
  'pagination.total',
];

/** The plan from configured pagination, with every default filled in. */
export function configuredPlan(pagination: PaginationParams): Plan {
  const style = pagination.style;
  return {
    style,
    cursor_param: pagination.cursor_param ?? 'cursor',
    cursor_path: pagination.cursor_path ?? null,
    offset_param: pagination.offset_param ?? 'offset',
    page_param: pagination.page_param ?? 'page',
    first_page: pagination.first_page ?? 1,
    limit_param:
      pagination.limit_param ?? (style === 'page' ? 'per_page' : 'limit'),
    next_path: pagination.next_path ?? null,
    has_more_path: pagination.has_more_path ?? null,
    total_path: pagination.total_path ?? null,
  };
}

/**
 * Detects the pagination of an API from its first reply: a Link header, a
 * next URL, a cursor field, then a has-more flag or a total (taken as
 * offset/limit). A reply with none of them is a single page.
 */
export function detectPlan(reply: PageReply): Plan {
  const plan = configuredPlan({ style: 'none' });
  plan.has_more_path = firstPresent(reply.body, HAS_MORE_PATHS, isBoolean);
  plan.total_path = firstPresent(reply.body, TOTAL_PATHS, isCount);
  if (nextLink(reply.headers.link) !== null) {
    return { ...plan, style: 'link' };
  }
  const nextPath = firstPresent(reply.body, NEXT_URL_PATHS, isUrlLike);
  if (nextPath !== null)
    return { ...plan, style: 'next_url', next_path: nextPath };
  for (const [path, param] of CURSOR_FIELDS) {
    const value = readPath(reply.body, path);
    if (value === undefined || !isToken(value)) continue;
    return { ...plan, style: 'cursor', cursor_path: path, cursor_param: param };
  }
  if (plan.has_more_path !== null || plan.total_path !== null) {
    return { ...plan, style: 'offset' };
  }
  return plan;
}

/** Fills the paths a configured plan left to detection, from a reply. */
export function completePlan(plan: Plan, reply: PageReply): Plan {
  const body = reply.body;
  const done = { ...plan };
  done.has_more_path ??= firstPresent(body, HAS_MORE_PATHS, isBoolean);
  if (plan.style === 'offset' || plan.style === 'page') {
    done.total_path ??= firstPresent(body, TOTAL_PATHS, isCount);
  }
  if (plan.style === 'next_url') {
    done.next_path ??= firstPresent(body, NEXT_URL_PATHS, isNullOr(isUrlLike));
  }
  if (plan.style === 'cursor' && done.cursor_path === null) {
    const found = CURSOR_FIELDS.find(([path]) => {
      const value = readPath(body, path);
      return value !== undefined && isToken(value);
    });
    done.cursor_path = found?.[0] ?? null;
  }
  return done;
}

/** What `reply` says about the next page under `plan`. */
export function readSignals(plan: Plan, reply: PageReply): PageSignals {
  const { body } = reply;
  const hasMore = plan.has_more_path
    ? readPath(body, plan.has_more_path)
    : null;
  const total = plan.total_path ? readPath(body, plan.total_path) : null;
  return {
    next: readNext(plan, reply),
    hasMore: typeof hasMore === 'boolean' ? hasMore : null,
    total: typeof total === 'number' && isCount(total) ? total : null,
  };
}

/** The URL of the next request: `base` plus the plan's position. */
export function pageUrl(
  base: URL,
  plan: Plan | null,
  position: { next: string | null; offset: number; page: number },
): URL {
  if (plan === null) return base;
  const url = new URL(base);
  switch (plan.style) {
    case 'cursor':
      if (position.next !== null) {
        url.searchParams.set(plan.cursor_param, position.next);
      }
      return url;
    case 'offset':
      url.searchParams.set(plan.offset_param, String(position.offset));
      return url;
    case 'page':
      url.searchParams.set(plan.page_param, String(position.page));
      return url;
    case 'link':
    case 'next_url':
      return position.next === null ? url : new URL(position.next);
    default:
      return url;
  }
}

// ---------------------------------------------------------------------------

function readNext(plan: Plan, reply: PageReply): string | null {
  let raw: Json | undefined;
  if (plan.style === 'link') {
    raw = nextLink(reply.headers.link);
  } else if (plan.style === 'next_url' && plan.next_path) {
    raw = readPath(reply.body, plan.next_path);
  } else if (plan.style === 'cursor' && plan.cursor_path) {
    raw = readPath(reply.body, plan.cursor_path);
  } else {
    return null;
  }
  if (typeof raw === 'number') raw = String(raw);
  if (typeof raw !== 'string' || raw === '') return null;
  if (plan.style === 'cursor') return raw;
  return new URL(raw, reply.url).toString();
}

function firstPresent(
  body: Json,
  paths: readonly string[],
  accept: (value: Json) => boolean,
): string | null {
  for (const path of paths) {
    const value = readPath(body, path);
    if (value !== undefined && accept(value)) return path;
  }
  return null;
}

function isBoolean(value: Json): boolean {
  return typeof value === 'boolean';
}

// `total: null` counts as present (an API that does not know its total),
// and is then ignored as a stop condition.
function isCount(value: Json | undefined): boolean {
  return (
    value === null ||
    (typeof value === 'number' && Number.isFinite(value) && value >= 0)
  );
}

/** A next-page token: a string that is no URL, a number, or null (end). */
function isToken(value: Json): boolean {
  if (typeof value === 'string') return !isUrlLike(value);
  return value === null || typeof value === 'number';
}

function isUrlLike(value: Json): boolean {
  return typeof value === 'string' && /^(https?:\/\/|\/|\?)/i.test(value);
}

function isNullOr(test: (value: Json) => boolean) {
  return (value: Json) => value === null || test(value);
}
