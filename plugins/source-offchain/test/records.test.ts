import type { Json } from '@backfill/plugin-kit';
import { describe, expect, it } from 'vitest';

import { keyRecords, repeatedKeys } from '../src/records.ts';

const where = () => 'page 1 of https://api.test/loans';

function keyError(items: Json[], keyField = 'id'): unknown {
  try {
    keyRecords(items, keyField, where);
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  return null;
}

describe('keyRecords', () => {
  it('says a null key field is null, not absent', () => {
    expect(keyError([{ id: 'a1' }, { id: null, v: 1 }])).toEqual({
      code: 'OFFCHAIN_RECORD_KEY_MISSING',
      message:
        'page 1 of https://api.test/loans, record 1: its "id" field is ' +
        'null, which cannot key the record; set key_field to a field ' +
        'every record has a value in, or have the API fill this one',
    });
  });

  it('says an empty nested key field is empty', () => {
    expect(keyError([{ loan: { id: '' } }], 'loan.id')).toEqual({
      code: 'OFFCHAIN_RECORD_KEY_MISSING',
      message:
        'page 1 of https://api.test/loans, record 0: its "loan.id" field ' +
        'is empty, which cannot key the record; set key_field to a field ' +
        'every record has a value in, or have the API fill this one',
    });
  });

  it('names the fields a record has when the key field is absent', () => {
    expect(keyError([{ name: 'x', seq: 1 }])).toEqual({
      code: 'OFFCHAIN_RECORD_KEY_MISSING',
      message:
        'page 1 of https://api.test/loans, record 0: has no "id" field to ' +
        'key it by; set key_field to the field that identifies a record ' +
        '(it has: name, seq)',
    });
  });

  it('keys numbers, zero and false as strings', () => {
    const records = keyRecords(
      [{ id: 7 }, { id: 0 }, { id: false }],
      'id',
      where,
    );
    expect(records.map((r) => r.key)).toEqual(['7', '0', 'false']);
  });
});

describe('repeatedKeys', () => {
  const keyed = (...keys: string[]) =>
    keys.map((key) => ({ key, value: { id: key } }));

  it('is null when every key of the page is distinct', () => {
    expect(repeatedKeys(keyed('1', '2', '3'))).toBeNull();
  });

  it('counts the records whose key came before, naming the first', () => {
    expect(repeatedKeys(keyed('1', '2', '1', '3', '2', '1'))).toEqual({
      count: 3,
      example: '1',
    });
  });
});
