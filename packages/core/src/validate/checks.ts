import { Cron } from 'croner';

import type { Diagnostic } from '../errors/diagnostic.ts';
import { quote } from '../errors/quote.ts';
import type { LoadedDocument } from '../loader/document.ts';
import { childPointer } from '../loader/pointer.ts';
import { FORMATS, parseIsoTime } from './formats.ts';

type Fields = Record<string, unknown>;

/**
 * The checks of a pipeline file that JSON Schema cannot express across
 * fields: one schedule form, a cron that fires, one window form, ranges
 * in order.
 */
export function pipelineChecks(doc: LoadedDocument, value: Fields) {
  const out: Diagnostic[] = [];
  out.push(...cronChecks(doc, value.schedule, '/schedule'));
  if (value.schedule !== undefined && value.interval !== undefined) {
    out.push(
      problem(doc, 'SCHEDULE_CONFLICT', '/interval', 'key', {
        message:
          'a pipeline has either "schedule" (cron) or "interval", not both',
        hint: 'remove one of the two',
      }),
    );
  }
  const window = value.window;
  if (isFields(window)) out.push(...windowChecks(doc, window, '/window'));
  return out;
}

/**
 * A cron that never fires (30 February) is valid syntax to croner, and a
 * daemon would wait for it forever: refused at validate time instead.
 * Syntax errors are the schema's (CRON_INVALID), not repeated here.
 */
export function cronChecks(
  doc: LoadedDocument,
  schedule: unknown,
  pointer: string,
): Diagnostic[] {
  if (typeof schedule !== 'string' || FORMATS.cron(schedule) !== null) {
    return [];
  }
  if (nextRun(schedule) !== null) return [];
  return [
    problem(doc, 'CRON_NEVER_RUNS', pointer, 'value', {
      message:
        `schedule ${quote(schedule)} never fires: no date matches it ` +
        '(a day the month never has, such as 30 February?)',
      expected: 'a cron expression with a next run, e.g. "0 0 28 2 *"',
      hint: 'fix the day or month fields',
    }),
  ];
}

/** Window forms and range order, for a `window` mapping at `pointer`. */
export function windowChecks(
  doc: LoadedDocument,
  window: Fields,
  pointer: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const forms = [['last'], ['from', 'to'], ['start_block', 'end_block']].filter(
    (keys) => keys.some((k) => Object.hasOwn(window, k)),
  );
  if (forms.length > 1) {
    const first = forms[0]!.find((k) => Object.hasOwn(window, k))!;
    const second = forms[1]!.find((k) => Object.hasOwn(window, k))!;
    out.push(
      problem(doc, 'WINDOW_CONFLICT', childPointer(pointer, second), 'key', {
        message:
          `window has both "${first}" and "${second}": use one of ` +
          '{ last }, { from, to } or { start_block, end_block }',
      }),
    );
  }
  out.push(...rangeChecks(doc, window, pointer));
  return out;
}

/** `from` before `to`, `start_block` not after `end_block`. */
export function rangeChecks(
  doc: LoadedDocument,
  range: Fields,
  pointer: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { from, to, start_block: start, end_block: end } = range;
  if (typeof from === 'string' && typeof to === 'string') {
    const a = parseIsoTime(from);
    const b = parseIsoTime(to);
    if (a !== null && b !== null && a >= b) {
      out.push(
        problem(doc, 'WINDOW_ORDER', childPointer(pointer, 'to'), 'value', {
          message: `window "to" (${to}) must be after "from" (${from})`,
          expected: `a time after ${from}`,
        }),
      );
    }
  }
  if (Number.isInteger(start) && Number.isInteger(end)) {
    if ((start as number) > (end as number)) {
      out.push(
        problem(
          doc,
          'BLOCK_ORDER',
          childPointer(pointer, 'end_block'),
          'value',
          {
            message: `end_block (${end}) is before start_block (${start})`,
            expected: `a slot at or after ${start}`,
          },
        ),
      );
    }
  }
  return out;
}

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------

/** The first run after now, as the scheduler's croner would find it. */
function nextRun(schedule: string): Date | null {
  const cron = new Cron(schedule, { paused: true, mode: '5-or-6-parts' });
  try {
    return cron.nextRun();
  } finally {
    cron.stop();
  }
}

function problem(
  doc: LoadedDocument,
  code: Diagnostic['code'],
  pointer: string,
  part: 'key' | 'value',
  text: { message: string; expected?: string; hint?: string },
): Diagnostic {
  return {
    code,
    severity: 'error',
    file: doc.file,
    ...doc.locate(pointer, part),
    pointer,
    ...text,
  };
}
