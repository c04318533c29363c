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
    const key = keyOf(item, keyField);
    if (key === undefined) {
      throw offchainError(
        'OFFCHAIN_RECORD_KEY_MISSING',
        'fatal',
        `${where()}, record ${i}: has no "${keyField}" field to key it by; ` +
          `set key_field to the field that identifies a record ` +
          `(it has: ${Object.keys(item).slice(0, 10).join(', ')})`,
      );
    }
    records[i] = { key, value: item };
  }
  return records;
}

// ---------------------------------------------------------------------------

function keyOf(item: JsonObject, keyField: string): string | undefined {
  let value: Json | undefined = item[keyField];
  if (value === undefined && /[./]/.test(keyField)) {
    value = readPath(item, keyField);
  }
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
