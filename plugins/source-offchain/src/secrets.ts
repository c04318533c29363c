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
 * from the environment: it takes the token, every header value but plain
 * protocol ones, and every parameter with a secret's name. The host may add
 * the pipeline's resolved values as `settings.secrets`.
 */
export function secretsOf(
  params: OffchainParams,
  settings: Record<string, unknown>,
): string[] {
  const secrets: string[] = [];
  if (params.auth_token) secrets.push(params.auth_token);
  for (const [name, value] of Object.entries(params.headers ?? {})) {
    if (!PLAIN_HEADERS.has(name.toLowerCase())) secrets.push(value);
  }
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
