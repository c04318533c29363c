// The public API of @backfill/core. Each subsystem adds its own lines.

// Engine (issue 3)
export * from './engine/index.ts';
export { createLogger, type LoggerOptions } from './logging/logger.ts';
export { REDACTED, redactDeep, redactText } from './logging/redact.ts';
export { type Clock, systemClock } from './retry/clock.ts';
export { RetryPolicy, type RetryOptions } from './retry/policy.ts';
export { builtinTransforms } from './transforms/index.ts';
export * from './model/pipeline.ts';
