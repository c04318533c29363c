import type { ParamProblem } from '@backfill/plugin-kit';

import type { OffchainCode } from './errors.ts';
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
 * http(s) URL without credentials, a body goes with POST, and pagination
 * names only fields its style reads.
 */
export function checkParams(params: OffchainParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const endpoint = params.api_endpoint;
  // An unresolved `${VAR}` (validate without the environment) is no error.
  if (typeof endpoint === 'string' && !endpoint.includes('${')) {
    const problem = endpointProblem(endpoint);
    if (problem) problems.push({ pointer: '/api_endpoint', ...problem });
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

/**
 * What is wrong with an api_endpoint, or null. The walk asks again at run
 * time: a job list or a `${VAR}` endpoint may not have been checked.
 */
export function endpointProblem(
  text: string,
): { code: OffchainCode; message: string } | null {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {}
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return {
      code: 'OFFCHAIN_ENDPOINT_INVALID',
      message:
        `api_endpoint must be an absolute http:// or https:// URL, ` +
        `got "${shorten(text)}"`,
    };
  }
  // undici drops user info without a word: the API would see no
  // credential, and the URL would print with the password in it.
  if (url.username !== '' || url.password !== '') {
    return {
      code: 'OFFCHAIN_ENDPOINT_CREDENTIALS',
      message:
        `api_endpoint "${shorten(text)}" holds a user name or password, ` +
        'which the HTTP client does not send; remove it from the URL and ' +
        'send the credential with auth_token or headers (Authorization: ' +
        'Basic ...), from an environment variable',
    };
  }
  return null;
}

// ---------------------------------------------------------------------------

// `scheme://user:password@`, parsed or not.
const USER_INFO = /^([^:/?#]*:\/\/)[^/?#]*@/;

/**
 * Keeps messages short; the URL may carry a token, so drop the query and
 * mask any user info.
 */
function shorten(text: string): string {
  const bare = (text.split('?')[0] ?? '').replace(USER_INFO, '$1[REDACTED]@');
  return bare.length > 60 ? `${bare.slice(0, 57)}...` : bare;
}
