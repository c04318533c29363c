import { PluginError } from '@backfill/plugin-kit';

/** What an AWS SDK error says about itself. */
interface AwsErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const FATAL_CODES: Record<string, string> = {
  UnrecognizedClientException: 'GLACIER_AUTH',
  AccessDeniedException: 'GLACIER_AUTH',
  InvalidSignatureException: 'GLACIER_AUTH',
  CredentialsProviderError: 'GLACIER_AUTH',
  MissingAuthenticationTokenException: 'GLACIER_AUTH',
  InvalidParameterValueException: 'GLACIER_INVALID_REQUEST',
  MissingParameterValueException: 'GLACIER_INVALID_REQUEST',
  PolicyEnforcedException: 'GLACIER_POLICY',
};

/**
 * Maps an AWS SDK error (after the SDK's own retries) to a PluginError the
 * engine can act on. `where` says what was being done, for the message.
 */
export function toPluginError(error: unknown, where: string): PluginError {
  if (PluginError.is(error)) return error;
  const aws = (error ?? {}) as AwsErrorShape;
  const name = aws.name ?? 'Error';
  const status = aws.$metadata?.httpStatusCode;
  const message = `${where}: ${name}: ${aws.message ?? String(error)}`;
  const details = { awsError: name, httpStatus: status };
  if (name === 'ThrottlingException' || status === 429) {
    return new PluginError(message, {
      code: 'GLACIER_THROTTLED',
      errorClass: 'rate_limited',
      cause: error,
      details,
    });
  }
  if (name === 'InsufficientCapacityException') {
    return new PluginError(
      `${message}; Expedited capacity is short, retry later or use tier Standard`,
      {
        code: 'GLACIER_NO_CAPACITY',
        errorClass: 'rate_limited',
        cause: error,
        details,
      },
    );
  }
  // The SDK's own complaints about its configuration: retrying cannot fix
  // them, and the user must be told which setting is missing.
  if (/Region is missing/i.test(aws.message ?? '')) {
    return new PluginError(
      `${message}; set region in the source's with: or AWS_REGION`,
      { code: 'GLACIER_CONFIG', errorClass: 'fatal', cause: error, details },
    );
  }
  if (name === 'CredentialsProviderError') {
    return new PluginError(
      `${message}; give credentials as the AWS SDK reads them: ` +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a role',
      { code: 'GLACIER_CONFIG', errorClass: 'fatal', cause: error, details },
    );
  }
  if (name === 'NoLongerSupportedException') {
    return new PluginError(
      `${message}; the vault API takes no new customers since 2025-12-15, ` +
        'so this account has no vaults to read: keep such data in an ' +
        'S3 Glacier storage class and read it with an S3 source',
      {
        code: 'GLACIER_NO_LONGER_SUPPORTED',
        errorClass: 'fatal',
        cause: error,
        details,
      },
    );
  }
  const fatal = FATAL_CODES[name];
  if (fatal) {
    return new PluginError(message, {
      code: fatal,
      errorClass: 'fatal',
      cause: error,
      details,
    });
  }
  if (name === 'ResourceNotFoundException') {
    return new PluginError(message, {
      code: 'GLACIER_NOT_FOUND',
      errorClass: 'fatal',
      cause: error,
      details,
    });
  }
  return new PluginError(message, {
    code: 'GLACIER_UNAVAILABLE',
    errorClass: 'retriable',
    cause: error,
    details,
  });
}

/** True for the error Glacier answers about a job whose output is gone. */
export function isNotFound(error: unknown): boolean {
  return (
    (error as AwsErrorShape | undefined)?.name === 'ResourceNotFoundException'
  );
}

/** True when the run is stopping: rethrow as is, never wrap. */
export function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error as Error | undefined)?.name === 'AbortError';
}

/** A fatal PluginError for a mistake or state the user must act on. */
export function fatal(
  code: string,
  message: string,
  details?: Record<string, unknown>,
): PluginError {
  return new PluginError(message, { code, errorClass: 'fatal', details });
}

/** A retriable PluginError; the cursor keeps what was verified. */
export function retriable(
  code: string,
  message: string,
  details?: Record<string, unknown>,
): PluginError {
  return new PluginError(message, { code, errorClass: 'retriable', details });
}
