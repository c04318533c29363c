import type { ParamProblem } from '@backfill/plugin-kit';

import type { OffchainParams, PaginationStyle } from './params.ts';

/** The pagination fields each style reads; any other is a mistake. */
const FIELDS_BY_STYLE: Record<PaginationStyle, readonly string[]> = {
  none: [],
  cursor: ['cursor_param', 'cursor_path', 'limit_param', 'has_more_path'],
  offset: ['offset_param', 'limit_param', 'has_more_path', 'total_path'],
  page: [
    'page_param',
    'first_page',
    'limit_param',
    'has_more_path',
    'total_path',
  ],
  link: ['limit_param'],
  next_url: ['next_path', 'limit_param', 'has_more_path'],
};

/**
 * Checks the schema cannot express, at validate time: the endpoint is an
 * http(s) URL, a body goes with POST, and pagination names only fields its
 * style reads.
 */
export function checkParams(params: OffchainParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const endpoint = params.api_endpoint;
  // An unresolved `${VAR}` (validate without the environment) is no error.
  if (typeof endpoint === 'string' && !endpoint.includes('${')) {
    if (!isHttpUrl(endpoint)) {
      problems.push({
        pointer: '/api_endpoint',
        code: 'OFFCHAIN_ENDPOINT_INVALID',
        message:
          `api_endpoint must be an absolute http:// or https:// URL, ` +
          `got "${shorten(endpoint)}"`,
      });
    }
  }
  if (params.body !== undefined && params.method !== 'POST') {
    problems.push({
      pointer: '/body',
      code: 'OFFCHAIN_BODY_WITHOUT_POST',
      message: 'body is sent only with method: POST; add method: POST',
    });
  }
  const pagination = params.pagination;
  if (pagination && pagination.style in FIELDS_BY_STYLE) {
    const allowed = FIELDS_BY_STYLE[pagination.style];
    for (const field of Object.keys(pagination)) {
      if (field === 'style' || allowed.includes(field)) continue;
      problems.push({
        pointer: `/pagination/${field}`,
        code: 'OFFCHAIN_PAGINATION_FIELD_UNUSED',
        message:
          `pagination style "${pagination.style}" does not read ${field}; ` +
          (allowed.length > 0 ? `it reads ${allowed.join(', ')}` : 'remove it'),
      });
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Keeps messages short; the URL may carry a token, so drop the query. */
function shorten(text: string): string {
  const bare = text.split('?')[0] ?? '';
  return bare.length > 60 ? `${bare.slice(0, 57)}...` : bare;
}
