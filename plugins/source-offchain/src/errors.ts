import { type ErrorClass, PluginError } from '@backfill/plugin-kit';

/** Every code the off-chain source throws; the README lists them. */
export type OffchainCode =
  | 'OFFCHAIN_HTTP_STATUS'
  | 'OFFCHAIN_RATE_LIMITED'
  | 'OFFCHAIN_SERVER_ERROR'
  | 'OFFCHAIN_TIMEOUT'
  | 'OFFCHAIN_CONNECTION'
  | 'OFFCHAIN_RESPONSE_TOO_LARGE'
  | 'OFFCHAIN_TOO_MANY_REDIRECTS'
  | 'OFFCHAIN_BODY_NOT_JSON'
  | 'OFFCHAIN_RECORDS_NOT_FOUND'
  | 'OFFCHAIN_RECORD_NOT_OBJECT'
  | 'OFFCHAIN_RECORD_KEY_MISSING'
  | 'OFFCHAIN_CURSOR_REPEATED'
  | 'OFFCHAIN_PAGE_REPEATED'
  | 'OFFCHAIN_CURSOR_INVALID'
  | 'OFFCHAIN_ENDPOINT_INVALID'
  | 'OFFCHAIN_ENDPOINT_CREDENTIALS';

/** A PluginError with one of the source's codes. */
export function offchainError(
  code: OffchainCode,
  errorClass: ErrorClass,
  message: string,
  extra: { retryAfterMs?: number; details?: Record<string, unknown> } = {},
): PluginError {
  return new PluginError(message, { code, errorClass, ...extra });
}
