import type { Json, JsonSchema } from '@backfill/plugin-kit';

/** How pages follow one another; absent means "detect from the replies". */
export type PaginationStyle =
  | 'none'
  | 'cursor'
  | 'offset'
  | 'page'
  | 'link'
  | 'next_url';

export interface PaginationParams {
  style: PaginationStyle;
  /** cursor: the request parameter carrying the token. Default `cursor`. */
  cursor_param?: string;
  /** cursor: where the next token is in the body. Default: detected. */
  cursor_path?: string;
  /** offset: the request parameter carrying the offset. Default `offset`. */
  offset_param?: string;
  /** page: the request parameter carrying the page number. Default `page`. */
  page_param?: string;
  /** page: the number of the first page. Default 1. */
  first_page?: number;
  /** The parameter carrying `page_size`. Default `limit` (`per_page`). */
  limit_param?: string;
  /** next_url: where the next page's URL is in the body. Default: detected. */
  next_path?: string;
  /** Where a "more pages follow" flag is. Default: detected. */
  has_more_path?: string;
  /** Where the total number of records is. Default: detected. */
  total_path?: string;
}

/** Sends the chunk's start as a parameter, so each run asks only for news. */
export interface IncrementalParams {
  /** The record field that grows over time (`updated_at`). */
  field: string;
  /** The request parameter carrying the window's start (`updated_since`). */
  param: string;
  /** The request parameter carrying the window's end, if the API has one. */
  until_param?: string;
}

export interface TimeoutParams {
  connect_ms?: number;
  headers_ms?: number;
  body_ms?: number;
}

export interface RetryParams {
  /** Attempts per request inside the source, before the engine's policy. */
  attempts?: number;
  /** First backoff after a 5xx or a connection error, doubled each time. */
  base_delay_ms?: number;
  /** A longer Retry-After goes to the engine as a rate_limited error. */
  max_delay_ms?: number;
}

/** The `with:` block of `source: { use: off-chain }`. */
export interface OffchainParams {
  api_endpoint: string;
  method?: 'GET' | 'POST';
  body?: Json;
  headers?: Record<string, string>;
  query_params?: Record<string, string | number | boolean>;
  auth_token?: string;
  records_path?: string;
  key_field?: string;
  page_size?: number;
  pagination?: PaginationParams;
  incremental?: IncrementalParams;
  requests_per_second?: number;
  max_pages?: number;
  timeouts?: TimeoutParams;
  max_response_bytes?: number;
  retry?: RetryParams;
}

/** Defaults the source applies and the README documents. */
export const OFFCHAIN_DEFAULTS = {
  method: 'GET',
  keyField: 'id',
  requestsPerSecond: 10,
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 30_000,
  maxResponseBytes: 64 * 1024 * 1024,
  attempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 5_000,
  maxRedirects: 5,
} as const;

const PATH_DESCRIPTION =
  'A dotted path (`data.items`) or a JSON pointer (`/data/items`)';

const name = (description: string) => ({
  type: 'string',
  minLength: 1,
  description,
});

const positiveInt = (description: string) => ({
  type: 'integer',
  minimum: 1,
  description,
});

export const paramsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['api_endpoint'],
  properties: {
    api_endpoint: name('The first page, an http(s) URL'),
    method: { enum: ['GET', 'POST'], description: 'Default GET' },
    body: { description: 'JSON body sent with POST' },
    headers: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Request headers; values may use $VAR references',
    },
    query_params: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
      description:
        'Query parameters on every page; values may use $VAR references',
    },
    auth_token: {
      type: 'string',
      description: 'Sent as `Authorization: Bearer`; never logged',
    },
    records_path: name(
      `${PATH_DESCRIPTION} to the records; default: the body when it is an ` +
        'array, else its one array-valued field',
    ),
    key_field: name('The record field that is its natural key; default id'),
    page_size: positiveInt('Records per page, sent as `limit_param`'),
    pagination: {
      type: 'object',
      additionalProperties: false,
      required: ['style'],
      description: 'How pages follow one another; absent means detect',
      properties: {
        style: {
          enum: ['none', 'cursor', 'offset', 'page', 'link', 'next_url'],
        },
        cursor_param: name('cursor: the parameter carrying the token'),
        cursor_path: name(`cursor: ${PATH_DESCRIPTION} to the next token`),
        offset_param: name('offset: the parameter carrying the offset'),
        page_param: name('page: the parameter carrying the page number'),
        first_page: { type: 'integer', minimum: 0, description: 'Default 1' },
        limit_param: name('The parameter carrying page_size'),
        next_path: name(`next_url: ${PATH_DESCRIPTION} to the next URL`),
        has_more_path: name(`${PATH_DESCRIPTION} to a has-more flag`),
        total_path: name(`${PATH_DESCRIPTION} to the total record count`),
      },
    },
    incremental: {
      type: 'object',
      additionalProperties: false,
      required: ['field', 'param'],
      properties: {
        field: name('The record field that grows over time'),
        param: name("The parameter carrying the window's start"),
        until_param: name("The parameter carrying the window's end"),
      },
    },
    requests_per_second: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Shared by every source on the same origin; default 10',
    },
    max_pages: positiveInt('Stop after this many pages (a warning says so)'),
    timeouts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        connect_ms: positiveInt('Default 10000'),
        headers_ms: positiveInt('Default 30000'),
        body_ms: positiveInt('Default 30000 between body bytes'),
      },
    },
    max_response_bytes: positiveInt('Default 64 MiB'),
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        attempts: positiveInt('Tries per request in the source; default 3'),
        base_delay_ms: {
          type: 'integer',
          minimum: 0,
          description: 'First backoff, doubled each try; default 500',
        },
        max_delay_ms: {
          type: 'integer',
          minimum: 0,
          description: 'Longer Retry-After goes to the engine; default 5000',
        },
      },
    },
  },
};
