import pino, { type DestinationStream, type Logger } from 'pino';

import { REDACTED, redactDeep, redactText } from './redact.ts';

export interface LoggerOptions {
  /** pino level; default `info`. */
  level?: string;
  /** Values to redact wherever they appear (PipelineSpec.secrets). */
  secrets?: readonly string[];
  /** Where lines go; default stderr (fd 2), JSON lines. */
  destination?: DestinationStream;
  /** Bindings on every line, e.g. `{ pipeline }`. */
  bindings?: Record<string, unknown>;
}

/**
 * The host's pino logger: JSON lines on stderr, secrets redacted by key
 * (authorization, token, password, api_key...) and by value. Child
 * loggers add `pipeline`, `run` and `chunk` bindings.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = [...(options.secrets ?? [])];
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: options.bindings ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      // `log` below serializes errors; pino's own err serializer, which
      // runs after it, would take the result for an error of type Object.
      serializers: { err: (value: unknown) => value },
      formatters: {
        level: (label) => ({ level: label }),
        // Errors are serialized first (type, code, stack, cause): the
        // redaction below would otherwise flatten them to their message.
        log: (object) => redactDeep(withSerializedErrors(object), []),
      },
      hooks: {
        // The last look at every line, bindings and error messages
        // included: no secret value leaves, whatever key it hid under.
        streamWrite: (line) => redactText(line, secrets),
      },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
  return logger;
}

export type { Logger };
export { REDACTED };

// ---------------------------------------------------------------------------

function withSerializedErrors(
  object: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    out[key] = value instanceof Error ? pino.stdSerializers.err(value) : value;
  }
  return out;
}
