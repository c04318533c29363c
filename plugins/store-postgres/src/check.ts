import type { ParamProblem } from '@backfill/plugin-kit';

import type { PostgresParams } from './params.ts';

/** The schemes the driver reads as a connection URL. */
const SCHEMES = new Set(['postgres:', 'postgresql:']);

const ENCODE_HINT =
  'percent-encode special characters in the user and password ' +
  '(# as %23, / as %2F, ? as %3F, @ as %40, : as %3A, % as %25)';

/**
 * Checks the schema cannot express, at validate time: `url` is a
 * postgres:// URL. The driver reads any other text as a path relative to
 * a dummy host and fails at run time with `getaddrinfo ENOTFOUND base`.
 * No message quotes the URL: it may hold a password.
 */
export function checkParams(params: PostgresParams): ParamProblem[] {
  const url = params.url;
  // An unresolved `${VAR}` (validate --no-env) is no error.
  if (typeof url !== 'string' || url.includes('${')) return [];
  const problem = urlProblem(url);
  return problem ? [{ pointer: '/url', ...problem }] : [];
}

/** What is wrong with a connection URL, or null. */
export function urlProblem(
  text: string,
): { code: 'POSTGRES_URL_INVALID'; message: string } | null {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {}
  if (url === null) {
    return invalid(
      'url is not a connection URL postgres://user:password@host:port/db ' +
        `(value not shown: it may hold a password); ${ENCODE_HINT}`,
    );
  }
  if (!SCHEMES.has(url.protocol)) {
    return invalid(
      `url has the scheme ${schemeOf(url.protocol)}; the postgres store ` +
        'reads postgres:// or postgresql:// URLs only',
    );
  }
  // `postgres://u:12#3@db/x` parses, as host `u`, port 12: an `@` past
  // the host is a password with a `#`, `/` or `?` left unencoded.
  if (`${url.pathname}${url.search}${url.hash}`.includes('@')) {
    return invalid(
      'url has an "@" after its host: its password likely holds a #, / ' +
        `or ? that ends the host early; ${ENCODE_HINT}`,
    );
  }
  return null;
}

// ---------------------------------------------------------------------------

function invalid(message: string) {
  return { code: 'POSTGRES_URL_INVALID' as const, message };
}

/** `mysql://`, shortened: a scheme is never a secret, but may be long. */
function schemeOf(protocol: string): string {
  const name = protocol.slice(0, -1);
  return /^[a-z][a-z0-9+.-]{0,19}$/i.test(name) ? `${name}://` : 'unknown';
}
