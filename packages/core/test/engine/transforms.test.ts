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
