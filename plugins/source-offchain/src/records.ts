import type { Json, SourceRecord } from '@backfill/plugin-kit';

import { offchainError } from './errors.ts';
import { readPath } from './json-path.ts';

type JsonObject = { [key: string]: Json };

/**
 * Where the records are in a reply: `records_path` when given; else the
 * body itself when it is an array, else its one array-valued field.
 * Returns the path found (`''` for the body) so later pages use the same.
 */
export function locateRecords(
  body: Json,
  recordsPath: string | undefined,
  where: () => string,
): { path: string; items: Json[] } {
  if (recordsPath !== undefined && recordsPath !== '') {
    const items = readPath(body, recordsPath);
    if (Array.isArray(items)) return { path: recordsPath, items };
    throw offchainError(
      'OFFCHAIN_RECORDS_NOT_FOUND',
      'fatal',
      `${where()}: records_path "${recordsPath}" is ` +
        `${describe(items)}, not an array; check records_path`,
    );
  }
  if (Array.isArray(body)) return { path: '', items: body };
  if (body !== null && typeof body === 'object') {
    const arrays = Object.keys(body).filter((k) => Array.isArray(body[k]));
    if (arrays.length === 1) {
      const path = arrays[0]!;
      return { path, items: body[path] as Json[] };
    }
    throw offchainError(
      'OFFCHAIN_RECORDS_NOT_FOUND',
      'fatal',
      `${where()}: cannot tell where the records are: the reply has ` +
        (arrays.length === 0
          ? 'no array-valued field'
          : `several array fields (${arrays.join(', ')})`) +
        '; set records_path',
    );
  }
  throw offchainError(
    'OFFCHAIN_RECORDS_NOT_FOUND',
    'fatal',
    `${where()}: the reply is ${describe(body)}, not an object or array`,
  );
}

/** Records with their natural key, `String(record[keyField])`. */
export function keyRecords(
  items: Json[],
  keyField: string,
  where: () => string,
): SourceRecord[] {
  const records: SourceRecord[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw offchainError(
        'OFFCHAIN_RECORD_NOT_OBJECT',
        'fatal',
        `${where()}, record ${i}: is ${describe(item)}, not an object`,
      );
    }
    const value = fieldOf(item, keyField);
    if (value === undefined || value === null || value === '') {
      throw offchainError(
        'OFFCHAIN_RECORD_KEY_MISSING',
        'fatal',
        `${where()}, record ${i}: ${keyProblem(item, keyField, value)}`,
      );
    }
    const key =
      typeof value === 'object' ? JSON.stringify(value) : String(value);
    records[i] = { key, value: item };
  }
  return records;
}

/**
 * Records of a page whose key an earlier record of the same page has:
 * how many, and the first such key. Null when every key is distinct.
 */
export function repeatedKeys(
  records: readonly SourceRecord[],
): { count: number; example: string } | null {
  const seen = new Set<string>();
  let count = 0;
  let example = '';
  for (const { key } of records) {
    const size = seen.size;
    if (seen.add(key).size > size) continue;
    if (count === 0) example = key;
    count++;
  }
  return count === 0 ? null : { count, example };
}

/** `record[field]`, or the nested field a dotted path or pointer names. */
export function fieldOf(item: JsonObject, field: string): Json | undefined {
  const value = item[field];
  if (value === undefined && /[./]/.test(field)) return readPath(item, field);
  return value;
}

// ---------------------------------------------------------------------------

function keyProblem(
  item: JsonObject,
  keyField: string,
  value: null | '' | undefined,
): string {
  if (value === undefined) {
    return (
      `has no "${keyField}" field to key it by; ` +
      `set key_field to the field that identifies a record ` +
      `(it has: ${Object.keys(item).slice(0, 10).join(', ')})`
    );
  }
  return (
    `its "${keyField}" field is ${value === null ? 'null' : 'empty'}, ` +
    'which cannot key the record; set key_field to a field every record ' +
    'has a value in, or have the API fill this one'
  );
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
