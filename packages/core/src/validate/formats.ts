import { Cron } from 'croner';

import { quote } from '../errors/quote.ts';
import { parseDuration } from '../loader/duration.ts';

/**
 * Checks JSON Schema cannot express, registered as ajv formats so that they
 * run at their node, in the same pass as the schema: each returns null when
 * the value is right, else why it is not.
 */
export const FORMATS = {
  cron: remembered(cronProblem),
  duration: (text: string) =>
    parseDuration(text) !== null
      ? null
      : /^(?:0+(?:d|h|m|s|ms))+$/.test(text)
        ? `${quote(text)} is zero: a duration must be more than zero`
        : `${quote(text)} is not a duration: write e.g. 6h, 30m, 1h30m or 500ms`,
  timezone: (text: string) =>
    isTimeZone(text) ? null : `${quote(text)} is not an IANA time zone`,
  'iso-time': (text: string) =>
    parseIsoTime(text) === null
      ? `${quote(text)} is not an ISO-8601 date or date-time`
      : null,
  'solana-address': (text: string) =>
    isSolanaAddress(text)
      ? null
      : `${quote(text)} is not a 32-byte base58 address`,
} as const satisfies Record<string, (text: string) => string | null>;

export type FormatName = keyof typeof FORMATS;

/** What each format expects, in words, for error messages. */
export const FORMAT_EXPECTED: Record<FormatName, string> = {
  cron: 'a cron expression of 5 or 6 fields, e.g. "0 2 * * *"',
  duration: 'a duration such as 6h, 30m, 1h30m or 500ms',
  timezone: 'an IANA time zone such as UTC or Europe/Paris',
  'iso-time': 'an ISO-8601 time such as 2026-01-01T00:00:00Z',
  'solana-address': 'a base58 address of 32 bytes',
};

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** True for the base58 text of exactly 32 bytes (a Solana public key). */
export function isSolanaAddress(text: string): boolean {
  if (text.length < 32 || text.length > 44) return false;
  const bytes: number[] = [];
  for (const char of text) {
    let carry = BASE58.indexOf(char);
    if (carry < 0) return false;
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  let zeros = 0;
  while (text[zeros] === '1') zeros++;
  return bytes.length + zeros === 32;
}

const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Milliseconds since the epoch of an ISO-8601 date or date-time; a time
 * without an offset is UTC. Null when the text is not one, or names a day
 * that does not exist (2026-02-30).
 */
export function parseIsoTime(text: string): number | null {
  if (!ISO_TIME.test(text)) return null;
  const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const normal = text.replace(' ', 'T');
  const ms = Date.parse(
    hasOffset || normal.length === 10 ? normal : `${normal}Z`,
  );
  if (Number.isNaN(ms)) return null;
  const day = text.slice(0, 10);
  if (
    new Date(Date.parse(`${day}T00:00:00Z`)).toISOString().slice(0, 10) !== day
  ) {
    return null;
  }
  return ms;
}

/**
 * The same check of the same text gives the same answer: a project's
 * pipelines mostly share a few schedules, and croner compiles each one.
 */
function remembered(
  check: (text: string) => string | null,
): (text: string) => string | null {
  const answers = new Map<string, string | null>();
  return (text) => {
    let answer = answers.get(text);
    if (answer === undefined) {
      answer = check(text);
      if (answers.size < 10_000) answers.set(text, answer);
    }
    return answer;
  };
}

function cronProblem(text: string): string | null {
  const fields = text.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    return (
      `${quote(text)} has ${fields.length} field${fields.length === 1 ? '' : 's'}; ` +
      `a schedule has 5 (minute hour day month weekday) or 6 (seconds first)`
    );
  }
  try {
    new Cron(text, { paused: true }).stop();
    return null;
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern:\s*/, '');
    return `${quote(text)} is not a valid cron expression: ${reason}`;
  }
}

const zones = new Map<string, boolean>();

function isTimeZone(text: string): boolean {
  let known = zones.get(text);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: text });
      known = text.length > 0;
    } catch {
      known = false;
    }
    zones.set(text, known);
  }
  return known;
}
