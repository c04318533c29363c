/** What replaces a secret in logs, errors and printed documents. */
export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are never printed, wherever they nest: headers,
 * params, errors. Matched anywhere in the key, case-insensitively, so
 * `auth_token`, `X-Api-Key` and `clientSecret` are all caught.
 */
export const SECRET_KEY =
  /authorization|cookie|password|passwd|secret|token|api[-_]?key|private[-_]?key|credential/i;

/**
 * A copy of `value` with secret-named keys, every occurrence of a secret
 * value (PipelineSpec.secrets) and the password of every URL in a string
 * (`postgres://app:pw@db`, written in a pipeline) replaced by [REDACTED].
 */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  return walk(value, usable(secrets)) as T;
}

/** Replaces every occurrence of each secret in a text. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of usable(secrets)) {
    if (!out.includes(secret)) continue;
    out = out.split(secret).join(REDACTED);
  }
  return out;
}

// ---------------------------------------------------------------------------

/** Secrets short enough to hit by chance (`1`, `on`) would shred logs. */
function usable(secrets: readonly string[]): string[] {
  const list = secrets.filter((s) => s.length >= 4);
  // The JSON-escaped form too, for secrets inside serialized lines.
  for (const s of [...list]) {
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s) list.push(escaped);
  }
  // Longest first, so that a secret containing another goes whole.
  return list.sort((a, b) => b.length - a.length);
}

// `scheme://user:password@`: the password, up to the last `@` before the
// host, never across a quote or a space.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@"':]*):[^\s/?#"']*@/gi;

function walk(value: unknown, secrets: string[]): unknown {
  if (typeof value === 'string') {
    const text = value.includes('@')
      ? value.replace(URL_PASSWORD, `$1:${REDACTED}@`)
      : value;
    return redactText(text, secrets);
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, secrets));
  if (value instanceof Error) {
    return { type: value.name, message: redactText(value.message, secrets) };
  }
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && v !== null ? REDACTED : walk(v, secrets);
  }
  return out;
}
