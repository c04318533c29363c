import { PluginError } from '@backfill/plugin-kit';

/**
 * The PluginError of an HTTP reply that is not a page: the engine retries
 * 429 after Retry-After and 5xx with backoff, and gives up on other 4xx.
 */
export function statusError(response) {
  const status = response.status;
  if (status === 429) {
    const seconds = Number(response.headers.get('retry-after'));
    return new PluginError('the weather API is rate limiting us', {
      code: 'WEATHER_RATE_LIMITED',
      errorClass: 'rate_limited',
      ...(Number.isFinite(seconds) ? { retryAfterMs: seconds * 1000 } : {}),
    });
  }
  if (status >= 500) {
    return new PluginError(`the weather API answered ${status}`, {
      code: 'WEATHER_SERVER_ERROR',
      errorClass: 'retriable',
    });
  }
  return new PluginError(`the weather API refused the request: ${status}`, {
    code: 'WEATHER_HTTP_STATUS',
    errorClass: 'fatal',
  });
}

/** A request that never got a reply: often transient, so retriable. */
export function unreachable(error) {
  return new PluginError(`the weather API is unreachable: ${error.message}`, {
    code: 'WEATHER_UNREACHABLE',
    errorClass: 'retriable',
    cause: error,
  });
}
