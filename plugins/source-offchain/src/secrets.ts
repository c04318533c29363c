import type { Json } from '@backfill/plugin-kit';

import type { OffchainParams } from './params.ts';
import { isSensitiveParam } from './redact.ts';

// Headers whose values are plain protocol words, never credentials.
const PLAIN_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'content-type',
  'user-agent',
  'cache-control',
]);

/**
 * The values the source must never print. The loader resolves `${ENV}`
 * before the source sees its params, so the source cannot tell which came
 * from the environment: it takes the known secrets below and, to be safe,
 * every header value but plain protocol ones.
 */
export function secretsOf(
  params: OffchainParams,
  settings: Record<string, unknown>,
): string[] {
  const secrets = knownSecretsOf(params, settings);
  for (const [name, value] of Object.entries(params.headers ?? {})) {
    if (!PLAIN_HEADERS.has(name.toLowerCase())) secrets.push(value);
  }
  return secrets;
}

/**
 * The values known to be secrets, whatever carries them: the token, every
 * parameter with a secret's name, and the pipeline's resolved `${ENV}`
 * values, which the host passes as `settings.secrets`. No header goes to
 * another origin with one of them in its value. Header values as such are
 * not in it, so a literal `X-Trace: run-7` still follows a redirect.
 */
export function knownSecretsOf(
  params: OffchainParams,
  settings: Record<string, unknown>,
): string[] {
  const secrets: string[] = [];
  if (params.auth_token) secrets.push(params.auth_token);
  for (const [name, value] of Object.entries(params.query_params ?? {})) {
    if (isSensitiveParam(name)) secrets.push(String(value));
  }
  if (params.body !== undefined) collect(params.body, secrets);
  if (Array.isArray(settings.secrets)) {
    for (const value of settings.secrets) {
      if (typeof value === 'string') secrets.push(value);
    }
  }
  return secrets;
}

function collect(value: Json, into: string[], name = ''): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into, name);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) collect(item, into, key);
  } else if (name !== '' && isSensitiveParam(name) && value !== null) {
    into.push(String(value));
  }
}
