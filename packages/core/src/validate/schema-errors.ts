import type { ErrorObject } from 'ajv';

import type { ErrorCode } from '../errors/codes.ts';
import type { Diagnostic } from '../errors/diagnostic.ts';
import { quote } from '../errors/quote.ts';
import type { Place } from '../loader/document.ts';
import { childPointer } from '../loader/pointer.ts';
import { REDACTED, SECRET_KEY } from '../logging/redact.ts';
import { FORMAT_EXPECTED, FORMATS, type FormatName } from './formats.ts';
import { describePointer, didYouMean, listOf } from './suggest.ts';

/** Keys whose value picks the branch of a oneOf/anyOf the user meant. */
const DISCRIMINATORS = ['use', 'source'] as const;

export interface ErrorPlace {
  file: string;
  /** Prefixed to every instance path: where the validated value sits. */
  base: string;
  locate(pointer: string, part?: 'key' | 'value'): Place;
}

/** Turns ajv's errors into diagnostics: one per mistake, at its node. */
export function schemaDiagnostics(
  errors: readonly ErrorObject[] | null | undefined,
  place: ErrorPlace,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of reduceBranches(errors ?? [])) {
    const d = toDiagnostic(error, place);
    if (!d) continue;
    const key = `${d.pointer}\0${d.code}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

// ---------------------------------------------------------------------------

type Verbose = ErrorObject & { parentSchema?: Record<string, unknown> };

/**
 * Keeps, for each failed oneOf/anyOf, only the errors of the branch the
 * user meant: the one whose `use`/`source` matched, else the one with the
 * fewest errors. A discriminator that matches no branch, or a value of a
 * type no branch takes, becomes one error of its own. Errors belong to a
 * union by schema path and instance path both: every item of a list
 * shares the schema path of its union.
 */
// Not yet: a branch that is a bare `$ref` reports its errors under the
// referenced schema's path, so they cannot be told apart by branch and are
// all kept; a plugin schema written that way shows every branch's errors.
// The schemas of this repository inline their branches.
function reduceBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  let kept = errors.filter((e) => e.keyword !== 'if');
  const unions = kept
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);

  for (const union of unions) {
    if (!kept.includes(union)) continue; // inside a dropped branch
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<number, ErrorObject[]>();
    for (const e of kept) {
      // Items of one list share the schema path: the instance tells apart
      // the union of jobs[0] from that of jobs[1].
      if (!e.schemaPath.startsWith(prefix)) continue;
      if (!isWithin(e.instancePath, union.instancePath)) continue;
      const index = Number.parseInt(e.schemaPath.slice(prefix.length), 10);
      branches.set(index, [...(branches.get(index) ?? []), e]);
    }
    const replacement = pickBranch(union, branches);
    const dropped = new Set<ErrorObject>([union]);
    for (const list of branches.values()) for (const e of list) dropped.add(e);
    for (const e of replacement) dropped.delete(e);
    kept = kept.filter((e) => !dropped.has(e) || replacement.includes(e));
    for (const e of replacement) if (!kept.includes(e)) kept.push(e);
  }
  return kept;
}

/** True when `path` is `base` or a pointer below it. */
function isWithin(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}

function pickBranch(
  union: ErrorObject,
  branches: Map<number, ErrorObject[]>,
): ErrorObject[] {
  const base = union.instancePath;
  const data = union.data;
  const isObject =
    typeof data === 'object' && data !== null && !Array.isArray(data);

  if (isObject) {
    for (const key of DISCRIMINATORS) {
      const path = `${base}/${key}`;
      const misses = (list: ErrorObject[]) =>
        list.some(
          (e) =>
            (e.instancePath === path &&
              (e.keyword === 'const' || e.keyword === 'enum')) ||
            (e.instancePath === base &&
              e.keyword === 'required' &&
              e.params.missingProperty === key),
        );
      const lists = [...branches.values()];
      if (!lists.some(misses)) continue;
      const meant = [...branches.entries()].find(([, l]) => !misses(l));
      if (meant) return meant[1];

      const allowed = lists.flatMap((l) =>
        l
          .filter((e) => e.instancePath === path && e.keyword === 'const')
          .map((e) => String(e.params.allowedValue)),
      );
      const value = (data as Record<string, unknown>)[key];
      return [
        {
          ...union,
          keyword: value === undefined ? 'required' : 'enum',
          instancePath: value === undefined ? base : path,
          params:
            value === undefined
              ? { missingProperty: key }
              : { allowedValues: [...new Set(allowed)] },
          data: value,
          parentSchema: { enum: [...new Set(allowed)] },
        } as ErrorObject,
      ];
    }
  }

  const typeOnly = [...branches.values()].every((l) =>
    l.some((e) => e.keyword === 'type' && e.instancePath === base),
  );
  if (typeOnly) {
    const types = [...branches.values()].flatMap((l) =>
      l
        .filter((e) => e.keyword === 'type' && e.instancePath === base)
        .map((e) => String(e.params.type)),
    );
    return [
      { ...union, keyword: 'type', params: { type: [...new Set(types)] } },
    ];
  }
  const fewest = [...branches.values()].sort((a, b) => a.length - b.length)[0];
  return fewest ?? [union];
}

function toDiagnostic(given: Verbose, place: ErrorPlace): Diagnostic | null {
  const at = place.base + given.instancePath;
  // A value under a secret-named key (auth_token: 12345678901, a number
  // where a string was due) is never quoted back; its type still is.
  const secret = SECRET_KEY.test(at.slice(at.lastIndexOf('/') + 1));
  const error: Verbose = secret ? { ...given, data: REDACTED } : given;
  const schema = error.parentSchema ?? {};
  const make = (
    code: ErrorCode,
    message: string,
    pointer = at,
    part: 'key' | 'value' = 'value',
    extra: Partial<Diagnostic> = {},
  ): Diagnostic => ({
    code,
    severity: 'error',
    message,
    file: place.file,
    ...place.locate(pointer, part),
    pointer,
    ...extra,
  });
  const where = describePointer(at);

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const known = Object.keys(
        (schema.properties as Record<string, unknown>) ?? {},
      );
      const near = didYouMean(key, known);
      return make(
        'UNKNOWN_KEY',
        `unknown key ${quote(key)} in ${where}` +
          (near ? `; did you mean "${near}"?` : ''),
        childPointer(at, key),
        'key',
        {
          expected: known.length ? `one of ${listOf(known)}` : 'no keys',
          ...(near ? { hint: `did you mean "${near}"?` } : {}),
        },
      );
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      return make(
        'MISSING_KEY',
        `missing required key ${quote(key)} in ${where}`,
        childPointer(at, key),
        'key',
        { expected: `a "${key}" key` },
      );
    }
    case 'dependentRequired': {
      const key = String(error.params.missingProperty);
      const has = String(error.params.property);
      const d = make(
        'MISSING_KEY',
        `"${has}" needs "${key}" beside it in ${where}`,
        childPointer(at, key),
        'key',
        { expected: `both "${has}" and "${key}"` },
      );
      return { ...d, ...place.locate(childPointer(at, has), 'key') };
    }
    case 'type': {
      const types = ([] as unknown[]).concat(error.params.type).map(String);
      const format = schema.format as FormatName | undefined;
      const expected =
        format && format in FORMAT_EXPECTED
          ? FORMAT_EXPECTED[format]
          : types.join(' or ');
      return make(
        'WRONG_TYPE',
        `${where} must be ${article(expected)}, got ` +
          (secret ? typeOnly(given.data) : typeName(error.data)),
        at,
        'value',
        { expected },
      );
    }
    case 'format': {
      const format = String(error.params.format) as FormatName;
      const problem = FORMATS[format]?.(String(error.data));
      return make(formatCode(format), `${where}: ${problem}`, at, 'value', {
        expected: FORMAT_EXPECTED[format],
      });
    }
    case 'const':
    case 'enum': {
      const allowed: unknown[] =
        error.keyword === 'const'
          ? [error.params.allowedValue]
          : ((error.params.allowedValues as unknown[]) ?? []);
      const shown = allowed.map((v) => JSON.stringify(v)).join(', ');
      const hint = enumHint(error.data, allowed);
      return make(
        'INVALID_VALUE',
        `${where} must be ${allowed.length > 1 ? 'one of ' : ''}${shown}, ` +
          `got ${quote(error.data)}` +
          (hint ? `; ${hint}` : ''),
        at,
        'value',
        { expected: shown, ...(hint ? { hint } : {}) },
      );
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const low =
        schema.minimum !== undefined
          ? `at least ${schema.minimum}`
          : schema.exclusiveMinimum !== undefined
            ? `more than ${schema.exclusiveMinimum}`
            : undefined;
      const high =
        schema.maximum !== undefined
          ? `at most ${schema.maximum}`
          : schema.exclusiveMaximum !== undefined
            ? `less than ${schema.exclusiveMaximum}`
            : undefined;
      // `from 1 to 10` when both ends are inclusive, else each end as is.
      const expected =
        schema.minimum !== undefined && schema.maximum !== undefined
          ? `from ${schema.minimum} to ${schema.maximum}`
          : [low, high].filter(Boolean).join(' and ');
      return make(
        'OUT_OF_RANGE',
        `${where} must be ${expected}, got ${quote(error.data)}`,
        at,
        'value',
        { expected },
      );
    }
    case 'pattern': {
      const description = schema.description as string | undefined;
      const expected = description
        ? description.replace(/\.$/, '')
        : `text matching ${error.params.pattern}`;
      return make(
        'INVALID_VALUE',
        `${where} ${quote(error.data)} is not allowed: ` +
          (description ? lowerFirst(expected) : `expected ${expected}`),
        at,
        'value',
        { expected },
      );
    }
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      const limit = Number(error.params.limit);
      const unit = error.keyword.endsWith('Length')
        ? 'character'
        : error.keyword.endsWith('Items')
          ? 'item'
          : 'key';
      const bound = error.keyword.startsWith('min') ? 'at least' : 'at most';
      const expected = `${bound} ${limit} ${unit}${limit === 1 ? '' : 's'}`;
      return make(
        'INVALID_VALUE',
        `${where} must have ${expected}`,
        at,
        'value',
        {
          expected,
        },
      );
    }
    default:
      return make('INVALID_VALUE', `${where} ${error.message}`, at);
  }
}

/**
 * What to say about a value an enum refuses: a quoted `"1"` where the
 * number 1 is meant is to lose its quotes; a typo, the name it is near.
 * Never a suggestion that reads the same as the value.
 */
function enumHint(data: unknown, allowed: unknown[]): string | undefined {
  if (typeof data !== 'string') return undefined;
  const unquoted = allowed.find(
    (v) => typeof v !== 'string' && String(v) === data.trim(),
  );
  if (unquoted !== undefined) return `write ${String(unquoted)} without quotes`;
  const near = didYouMean(data, allowed.map(String));
  return near !== undefined && near !== data
    ? `did you mean "${near}"?`
    : undefined;
}

/** `Unique name` -> `unique name`; `JSON-RPC` stays. */
function lowerFirst(text: string): string {
  if (!/^[A-Z][a-z]/.test(text)) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function formatCode(format: FormatName): ErrorCode {
  switch (format) {
    case 'cron':
      return 'CRON_INVALID';
    case 'duration':
      return 'DURATION_INVALID';
    case 'timezone':
      return 'TIMEZONE_INVALID';
    case 'iso-time':
      return 'TIME_INVALID';
    default:
      return 'INVALID_VALUE';
  }
}

/** `a number`, `the string`: the type without the value. */
function typeOnly(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'a mapping';
  return article(typeof value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  return `${typeof value} ${quote(value)}`;
}

function article(expected: string): string {
  if (/^(a|an|one) /.test(expected)) return expected;
  const word = expected.replace('object', 'mapping').replace('array', 'list');
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}
