import { silentLogger, type TransformDefinition } from '@backfill/plugin-kit';
import { describe, expect, it } from 'vitest';

import { applyTransforms } from '../../src/engine/delivery.ts';
import { redactDeep } from '../../src/logging/redact.ts';
import { builtinTransforms } from '../../src/transforms/index.ts';

function make(use: string, params: Record<string, unknown>) {
  const def = builtinTransforms.transforms.find((t) => t.name === use) as
    | TransformDefinition
    | undefined;
  if (!def) throw new Error(use);
  return def.create(params, { logger: silentLogger, pipeline: 'p' });
}

const records = [
  { key: 'a', value: { err: null, amount: 5, side: 'borrow' } },
  { key: 'b', value: { err: 'x', amount: 9, side: 'lend' } },
  { key: 'a', value: { err: null, amount: 5, side: 'borrow' } },
];

describe('the built-in transforms', () => {
  it('filter, rename, set, omit, pick and dedupe compose in order', async () => {
    const out = await applyTransforms(
      [
        make('filter', { where: 'err = null' }),
        make('dedupe', {}),
        make('rename', { fields: { amount: 'qty' } }),
        make('set', { fields: { network: 'mainnet' } }),
        make('omit', { fields: ['err'] }),
        make('pick', { fields: ['qty', 'network'] }),
      ],
      records,
    );
    expect(out).toEqual([{ key: 'a', value: { qty: 5, network: 'mainnet' } }]);
  });

  it('rename moves every field at once: a swap keeps both', async () => {
    const rename = make('rename', { fields: { a: 'b', b: 'a', c: 'd' } });
    const out = await applyTransforms(
      [rename],
      [{ key: 'k', value: { a: 1, b: 2, c: 3, e: 5 } }],
    );
    expect(JSON.stringify(out[0]!.value)).toBe('{"e":5,"b":1,"a":2,"d":3}');
  });

  it('rename onto an existing field replaces it, in its place', async () => {
    const rename = make('rename', { fields: { amount: 'qty' } });
    const out = await applyTransforms(
      [rename],
      [{ key: 'k', value: { qty: 0, amount: 7, side: 'lend' } }],
    );
    expect(JSON.stringify(out[0]!.value)).toBe('{"qty":7,"side":"lend"}');
  });

  it('set replaces a field in its place and adds new ones at the end', async () => {
    const out = await applyTransforms(
      [make('set', { fields: { side: 'borrow', network: 'mainnet' } })],
      [{ key: 'k', value: { side: 'lend', amount: 7 } }],
    );
    expect(JSON.stringify(out[0]!.value)).toBe(
      '{"side":"borrow","amount":7,"network":"mainnet"}',
    );
  });

  it('keeps a field named __proto__ as a field, and picks own fields only', async () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"id":2}');
    const out = await applyTransforms(
      [
        make('rename', { fields: { id: 'key' } }),
        make('omit', { fields: ['nothing'] }),
        make('set', { fields: { added: true } }),
        make('pick', { fields: ['__proto__', 'key', 'toString', 'added'] }),
      ],
      [{ key: 'k', value: parsed }],
    );
    expect(JSON.stringify(out[0]!.value)).toBe(
      '{"__proto__":{"x":1},"key":2,"added":true}',
    );
    expect(Object.getPrototypeOf(out[0]!.value)).toBe(Object.prototype);
  });

  it('refuses a filter expression that does not parse', () => {
    expect(() => make('filter', { where: 'amount >' })).toThrow(
      expect.objectContaining({ code: 'TRANSFORM_FILTER_SYNTAX' }),
    );
  });
});

describe('redaction', () => {
  it('hides secret keys and secret values wherever they nest', () => {
    expect(
      redactDeep(
        {
          headers: { Authorization: 'Bearer abc' },
          url: 'https://x/?k=s3cr3t',
        },
        ['s3cr3t'],
      ),
    ).toEqual({
      headers: { Authorization: '[REDACTED]' },
      url: 'https://x/?k=[REDACTED]',
    });
  });
});
