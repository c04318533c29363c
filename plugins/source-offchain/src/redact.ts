/** What every masked secret becomes in logs, errors and URLs. */
export const REDACTED = '[REDACTED]';

const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-access-token',
  'api-key',
  'apikey',
]);

// Parameter names that hold a secret, matched on their normalised words:
// `api_key`, `apiKey`, `access-token` and `X-Signature` all hit.
const SENSITIVE_WORDS = new RegExp(
  `(^|_)(${[
    'token',
    'key',
    'apikey',
    'secret',
    'password',
    'passwd',
    'pwd',
    'signature',
    'sig',
    'auth',
    'credential',
    'credentials',
    'session',
    'sessionid',
  ].join('|')})(_|$)`,
);

// Shorter values would mask ordinary words and numbers across messages.
const MIN_SECRET_LENGTH = 4;

// The user info of a URL in any text, `https://user:password@`: up to
// the last `@` before the host, never across a quote or a space.
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>\\]*@/gi;

/** True for a header whose value is a credential, whatever its value. */
export function isSensitiveHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE_HEADERS.has(lower) || isSensitiveParam(lower);
}

/** True for a query or body parameter whose value is a credential. */
export function isSensitiveParam(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
  return SENSITIVE_WORDS.test(words);
}

/**
 * Masks secrets in what the source prints: by header name, by parameter
 * name and by value. Every error message, log field and URL goes through
 * one, since an API may echo a token back in a body or a next-page link.
 */
export interface Redactor {
  /**
   * Replaces every known secret value (raw or URL-encoded) and the user
   * info of every URL in `text`.
   */
  text(text: string): string;
  /** A URL with user info, sensitive parameters and secrets masked. */
  url(url: string | URL): string;
  /** Headers with sensitive ones masked, for a log line. */
  headers(headers: Record<string, unknown>): Record<string, string>;
  /** Adds values to mask from now on (a token learnt at run time). */
  add(values: Iterable<string>): void;
}

/** A redactor that masks `secrets` wherever they appear. */
export function createRedactor(secrets: Iterable<string> = []): Redactor {
  const needles = new Set<string>();
  let pattern: RegExp | null = null;

  function add(values: Iterable<string>): void {
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) {
        continue;
      }
      needles.add(value);
      needles.add(encodeURIComponent(value));
      needles.add(new URLSearchParams({ v: value }).toString().slice(2));
    }
    // Longest first, so a secret containing another is masked whole.
    const sorted = [...needles].sort((a, b) => b.length - a.length);
    pattern =
      sorted.length === 0
        ? null
        : new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  }

  function text(input: string): string {
    const out = input.includes('@')
      ? input.replace(USER_INFO, `$1${REDACTED}@`)
      : input;
    return pattern ? out.replace(pattern, REDACTED) : out;
  }

  function url(input: string | URL): string {
    let parsed: URL;
    try {
      parsed = new URL(String(input));
    } catch {
      return text(String(input));
    }
    for (const name of [...parsed.searchParams.keys()]) {
      if (isSensitiveParam(name)) parsed.searchParams.set(name, 'REDACTED');
    }
    return text(parsed.toString()).replaceAll('=REDACTED', `=${REDACTED}`);
  }

  function headers(input: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(input)) {
      if (value === undefined) continue;
      out[name] = isSensitiveHeader(name) ? REDACTED : text(String(value));
    }
    return out;
  }

  add(secrets);
  return { text, url, headers, add };
}

// ---------------------------------------------------------------------------

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
