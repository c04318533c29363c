import type { Logger } from '@backfill/plugin-kit';

/** One captured log call: level, fields, message. */
export type LoggedLine = [string, object, string | undefined];

/** A Logger that appends every call to `lines`; its children do too. */
export function captureLogger(lines: LoggedLine[]): Logger {
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push([level, obj, msg]);
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}
