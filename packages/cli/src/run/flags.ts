import type { Reprocess } from '@backfill/core';

import { CliError, EXIT } from '../exit.ts';

/** The options of `backfill run`, as commander parses them. */
export interface RunFlags {
  from?: string;
  to?: string;
  hours?: string;
  dryRun?: boolean;
  limit?: string;
  reprocess?: string;
  json?: boolean;
  force?: boolean;
  config?: string;
  runOnce?: boolean;
  source?: string;
  /** pino level; overrides BACKFILL_LOG_LEVEL. */
  logLevel?: string;
  /** commander's `--no-color`: false when given. */
  color?: boolean;
}

/** The window the flags ask for; undefined when they ask for none. */
export type WindowOverride =
  | { kind: 'last'; durationMs: number }
  | { kind: 'time'; from: string; to: string }
  | { kind: 'slot'; start: number; end: number }
  | undefined;

const HOUR_MS = 3_600_000;
/** 20 years: older than any Solana program, and a typo beyond. */
const MAX_HOURS = 20 * 8766;

/**
 * `--from/--to` (ISO times or slot numbers, both of a kind) or `--hours N`
 * (the latest N hours). Usage errors exit 2.
 */
export function windowFromFlags(flags: RunFlags, now: number): WindowOverride {
  if (flags.hours !== undefined && (flags.from || flags.to)) {
    throw usage('RUN_FLAGS', '--hours cannot be combined with --from/--to');
  }
  if (flags.hours !== undefined) {
    const hours = Number(flags.hours);
    if (!(hours > 0) || hours > MAX_HOURS) {
      throw usage(
        'RUN_HOURS',
        `--hours ${flags.hours}: give a positive number, at most ` +
          `${MAX_HOURS} (20 years)`,
      );
    }
    return { kind: 'last', durationMs: hours * HOUR_MS };
  }
  if (!flags.from && !flags.to) return undefined;

  const slots = [flags.from, flags.to].every((v) => !v || /^\d+$/.test(v));
  if (slots) {
    if (!flags.from || !flags.to) {
      throw usage('RUN_FLAGS', 'a slot window needs both --from and --to');
    }
    return { kind: 'slot', start: Number(flags.from), end: Number(flags.to) };
  }
  const slot = [flags.from, flags.to].find((v) => v && /^\d+$/.test(v));
  if (slot !== undefined) {
    throw usage(
      'RUN_WINDOW_MIXED',
      `--from ${flags.from} --to ${flags.to}: give two slots or two ` +
        'ISO-8601 times, not one of each',
    );
  }
  const from = flags.from ? isoTime(flags.from, '--from') : undefined;
  const to = flags.to ? isoTime(flags.to, '--to') : new Date(now).toISOString();
  if (!from) throw usage('RUN_FLAGS', '--to needs --from');
  if (Date.parse(to) <= Date.parse(from)) {
    throw usage('RUN_WINDOW', `--from ${from} is not before --to ${to}`);
  }
  return { kind: 'time', from, to };
}

export function reprocessFlag(value: string | undefined): Reprocess {
  if (value === undefined) return 'none';
  if (value === 'none' || value === 'failed' || value === 'all') return value;
  throw usage('RUN_REPROCESS', `--reprocess ${value}: use none, failed or all`);
}

export function limitFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) {
    throw usage('RUN_LIMIT', `--limit ${value}: give a whole number above 0`);
  }
  return limit;
}

// ---------------------------------------------------------------------------

function isoTime(text: string, flag: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw usage(
      'RUN_TIME',
      `${flag} ${text}: give an ISO-8601 time (2026-01-31T00:00:00Z) or a slot`,
    );
  }
  return new Date(ms).toISOString();
}

function usage(code: string, message: string): CliError {
  return new CliError(code, message, EXIT.usage);
}
