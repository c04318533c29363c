import { hash } from 'node:crypto';

import type {
  SourceBatch,
  SourceContext,
  SourceRecord,
} from '@backfill/plugin-kit';

import { endpointProblem } from './check.ts';
import { offchainError } from './errors.ts';
import { PageClient } from './http.ts';
import {
  completePlan,
  configuredPlan,
  detectPlan,
  type PageSignals,
  pageUrl,
  readSignals,
} from './pagination.ts';
import { OFFCHAIN_DEFAULTS as D, type OffchainParams } from './params.ts';
import { fieldOf, keyRecords, locateRecords } from './records.ts';
import { createRedactor } from './redact.ts';
import { knownSecretsOf, secretsOf } from './secrets.ts';
import {
  initialState,
  stateFromCursor,
  stateToCursor,
  type WalkState,
} from './walk-state.ts';
import { type PagePlace, WalkWarnings } from './walk-warnings.ts';

/**
 * Walks the API's pages from `ctx.cursor` on, one batch per page, until
 * the pages end; a token, URL or page that repeats stops it with an error.
 */
export async function* walkPages(
  ctx: SourceContext<OffchainParams>,
): AsyncIterable<SourceBatch> {
  const { params } = ctx;
  const redactor = createRedactor(secretsOf(params, ctx.settings));
  const endpoint = parseEndpoint(params.api_endpoint);
  const base = baseUrl(endpoint, params, ctx);
  let state =
    ctx.cursor === null
      ? initialState(
          params.pagination ? configuredPlan(params.pagination) : null,
        )
      : stateFromCursor(ctx.cursor);
  if (state.halt)
    throw offchainError(state.halt.code, 'fatal', state.halt.message);
  if (state.done) return;

  const seen = new Set(state.seen);
  if (state.pages === 0) remember(state, seen, base.toString());
  const client = new PageClient({
    trustedOrigin: endpoint.origin,
    method: params.method ?? D.method,
    body: params.body === undefined ? undefined : JSON.stringify(params.body),
    headers: requestHeaders(params),
    secrets: knownSecretsOf(params, ctx.settings),
    timeouts: {
      connectMs: params.timeouts?.connect_ms ?? D.connectMs,
      headersMs: params.timeouts?.headers_ms ?? D.headersMs,
      bodyMs: params.timeouts?.body_ms ?? D.bodyMs,
    },
    maxResponseBytes: params.max_response_bytes ?? D.maxResponseBytes,
    maxRedirects: D.maxRedirects,
    retry: {
      attempts: params.retry?.attempts ?? D.attempts,
      baseDelayMs: params.retry?.base_delay_ms ?? D.baseDelayMs,
      maxDelayMs: params.retry?.max_delay_ms ?? D.maxDelayMs,
    },
    limiter: ctx.limiter(endpoint.origin, {
      requestsPerSecond: params.requests_per_second ?? D.requestsPerSecond,
    }),
    countRequest: ctx.countRequest,
    logger: ctx.logger,
    redactor,
    signal: ctx.signal,
  });

  const warnings = new WalkWarnings(
    ctx.logger,
    redactor,
    params.incremental?.field,
  );
  try {
    while (true) {
      const url = pageUrl(base, state.plan, state);
      const where = `page ${state.pages + 1}`;
      const reply = await client.fetchPage(url, where);
      if (state.plan === null) {
        state.plan = detectPlan(reply);
        if (state.plan.style === 'none') warnings.singlePage(base);
      } else if (state.pages === 0)
        state.plan = completePlan(state.plan, reply);
      const plan = state.plan;

      // Named only when needed: redacting a URL per page costs throughput.
      const place = () => `${where} of ${redactor.url(url)}`;
      const at: PagePlace = () => ({
        page: state.pages + 1,
        url: redactor.url(url),
      });
      const located = locateRecords(
        reply.body,
        state.records_path ?? params.records_path,
        place,
      );
      state.records_path = located.path;
      const items = located.items;
      if (items.length === 0) {
        warnings.emptyPage(at, plan, readSignals(plan, reply));
        return;
      }
      const records = keyRecords(items, params.key_field ?? D.keyField, place);
      warnings.page(records, at);
      // Same keys in the same order is the same page: cheaper than hashing
      // every record, and what a re-served page looks like.
      const print = fingerprint(records.map((r) => r.key).join('\u0000'));
      if (print === state.last) {
        throw offchainError(
          'OFFCHAIN_PAGE_REPEATED',
          'fatal',
          `${place()}: the same ${items.length} records as the page before; ` +
            'the API ignores the paging parameters or serves its last page ' +
            'again, so the walk stops here instead of looping',
        );
      }

      const signals = readSignals(plan, reply);
      state = advance(state, items.length, signals, print);
      if (!state.done && plan.style !== 'offset' && plan.style !== 'page') {
        if (state.next !== null && !remember(state, seen, state.next)) {
          state.halt = {
            code: 'OFFCHAIN_CURSOR_REPEATED',
            message:
              `${place()}: the next ${plan.style === 'cursor' ? 'token' : 'URL'}` +
              ` "${shorten(redactor.url(state.next))}" was followed before ` +
              'in this chunk; the API is cycling, so the walk stops here',
          };
        }
      }
      const maxPages = params.max_pages;
      if (!state.done && maxPages !== undefined && state.pages >= maxPages) {
        ctx.logger.warn(
          { pages: state.pages, records: state.records },
          'max_pages reached: the rest of the pages are not fetched',
        );
        state.done = true;
      }
      ctx.logger.debug(
        { page: state.pages, records: items.length },
        'page fetched',
      );
      yield batch(records, state, signals, ctx, params);
      if (state.halt) {
        throw offchainError(state.halt.code, 'fatal', state.halt.message);
      }
      if (state.done) return;
    }
  } finally {
    await client.close();
  }
}

// ---------------------------------------------------------------------------

/** The state after a page of `count` records. */
function advance(
  before: WalkState,
  count: number,
  signals: PageSignals,
  print: string,
): WalkState {
  const state: WalkState = {
    ...before,
    next: signals.next,
    offset: before.offset + count,
    page: before.page + 1,
    pages: before.pages + 1,
    records: before.records + count,
    last: print,
  };
  const style = state.plan?.style ?? 'none';
  const total = signals.total;
  if (style === 'none' || signals.hasMore === false) state.done = true;
  else if (style === 'offset' || style === 'page') {
    const reached = style === 'offset' ? state.offset : state.records;
    if (total !== null && reached >= total) state.done = true;
  } else if (signals.next === null) state.done = true;
  return state;
}

/** Adds a token or URL to the seen set; false when it was there. */
function remember(state: WalkState, seen: Set<string>, next: string): boolean {
  const print = fingerprint(next);
  if (seen.has(print)) return false;
  seen.add(print);
  // In place: a copy per page made a long walk quadratic. Every yielded
  // cursor holds its own slice of this list.
  state.seen.push(print);
  return true;
}

function batch(
  records: SourceRecord[],
  state: WalkState,
  signals: PageSignals,
  ctx: SourceContext<OffchainParams>,
  params: OffchainParams,
): SourceBatch {
  const out: SourceBatch = { records, cursor: stateToCursor(state) };
  if (state.done) out.progress = 1;
  else if (signals.total !== null && signals.total > 0) {
    out.progress = Math.min(1, state.records / signals.total);
  } else {
    const progress = timeProgress(records, ctx, params);
    if (progress !== undefined) out.progress = progress;
  }
  return out;
}

/** How far the last record's incremental field is through the window. */
function timeProgress(
  records: SourceRecord[],
  ctx: SourceContext<OffchainParams>,
  params: OffchainParams,
): number | undefined {
  const field = params.incremental?.field;
  const range = ctx.chunk.range;
  const last = records.at(-1);
  if (!field || !last || range.kind !== 'time') return;
  const value = fieldOf(last.value, field);
  if (typeof value !== 'string') return;
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  const at = Date.parse(value);
  if (!(to > from) || Number.isNaN(at) || at < from || at > to) return;
  return (at - from) / (to - from);
}

/** api_endpoint plus query_params, the window and the page size. */
function baseUrl(
  endpoint: URL,
  params: OffchainParams,
  ctx: SourceContext<OffchainParams>,
): URL {
  const url = new URL(endpoint);
  for (const [name, value] of Object.entries(params.query_params ?? {})) {
    url.searchParams.set(name, String(value));
  }
  const range = ctx.chunk.range;
  if (params.incremental && range.kind === 'time') {
    url.searchParams.set(params.incremental.param, range.from);
    if (params.incremental.until_param) {
      url.searchParams.set(params.incremental.until_param, range.to);
    }
  }
  if (params.page_size !== undefined) {
    const plan = params.pagination
      ? configuredPlan(params.pagination)
      : configuredPlan({ style: 'offset' });
    url.searchParams.set(plan.limit_param, String(params.page_size));
  }
  return url;
}

function requestHeaders(params: OffchainParams): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(params.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  if (params.auth_token !== undefined) {
    headers.authorization = `Bearer ${params.auth_token}`;
  }
  return headers;
}

function parseEndpoint(text: string): URL {
  const problem = endpointProblem(text);
  if (problem) throw offchainError(problem.code, 'fatal', problem.message);
  return new URL(text);
}

/** 96 bits of SHA-1: the one-shot call, twice a page, costs less than a
 * Hash object. */
function fingerprint(text: string): string {
  return hash('sha1', text, 'base64url').slice(0, 16);
}

function shorten(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
