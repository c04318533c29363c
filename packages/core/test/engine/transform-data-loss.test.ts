/**
 * The built-in transforms never lose records or fields silently: what
 * would empty a record, collapse a run or overwrite a field is refused,
 * kept or warned about.
 */
import type { TransformDefinition } from '@backfill/plugin-kit';
import { describe, expect, it } from 'vitest';
import {
  captureLogger,
  type LoggedLine,
} from '../../../../test/support/capture-logger.ts';
import { applyTransforms } from '../../src/engine/delivery.ts';
import { newTally } from '../../src/engine/tally.ts';
import { builtinTransforms } from '../../src/transforms/index.ts';

function make(
  use: string,
  params: Record<string, unknown>,
  lines: LoggedLine[],
) {
  return definition(use).create(params, {
    logger: captureLogger(lines),
    pipeline: 'p',
  });
}

function definition(use: string): TransformDefinition {
  const def = builtinTransforms.transforms.find((t) => t.name === use);
  if (!def) throw new Error(use);
  return def as TransformDefinition;
}

describe('pick', () => {
  it('refuses a record with none of the fields, naming them', async () => {
    const lines: LoggedLine[] = [];
    const pick = make('pick', { fields: ['amout', 'nested.x'] }, lines);
    const error = await applyTransforms(
      [pick],
      [{ key: 'k', value: { amount: 5, nested: { x: 1 } } }],
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'PluginError',
      code: 'TRANSFORM_PICK_EMPTY',
      errorClass: 'fatal',
      details: { pipeline: 'p', fields: ['amout', 'nested.x'] },
    });
    expect((error as Error).message).toBe(
      'pick (pipeline p): the record has none of "amout", "nested.x" ' +
        '(pick takes top-level field names: "nested.x" is one name, not ' +
        'a path); it is dead-lettered rather than stored empty over the ' +
        'stored row: check the field names against a fetched record',
    );
  });

  it('warns once per run of a field no record of a batch had', async () => {
    const lines: LoggedLine[] = [];
    const pick = make('pick', { fields: ['id', 'amout'] }, lines);
    const batch = [
      { key: 'a', value: { id: 1, amount: 5 } },
      { key: 'b', value: { id: 2, amount: 6 } },
    ];
    expect(await applyTransforms([pick], batch)).toEqual([
      { key: 'a', value: { id: 1 } },
      { key: 'b', value: { id: 2 } },
    ]);
    await applyTransforms([pick], batch);
    expect(lines).toEqual([
      [
        'warn',
        {
          code: 'TRANSFORM_PICK_MISSING',
          pipeline: 'p',
          fields: ['amout'],
          records: 2,
        },
        'pick: none of the 2 records of a batch had "amout"; warned once ' +
          'per run',
      ],
    ]);
  });

  it('says nothing of a field that some record of each batch had', async () => {
    const lines: LoggedLine[] = [];
    const pick = make('pick', { fields: ['id', 'memo'] }, lines);
    const out = await applyTransforms(
      [pick],
      [
        { key: 'a', value: { id: 1 } },
        { key: 'b', value: { id: 2, memo: 'x' } },
      ],
    );
    expect(out).toEqual([
      { key: 'a', value: { id: 1 } },
      { key: 'b', value: { id: 2, memo: 'x' } },
    ]);
    expect(lines).toEqual([]);
  });
});

describe('dedupe', () => {
  it('keeps every record without the by field, and warns once', async () => {
    const lines: LoggedLine[] = [];
    const dedupe = make('dedupe', { by: 'nosuch' }, lines);
    const out = await applyTransforms(
      [dedupe],
      [
        { key: 'a', value: { id: 1 } },
        { key: 'b', value: { id: 2 } },
        { key: 'c', value: { id: 3, nosuch: null } },
      ],
    );
    expect(out.map((r) => r.key)).toEqual(['a', 'b', 'c']);
    expect(lines).toEqual([
      [
        'warn',
        {
          code: 'TRANSFORM_DEDUPE_MISSING',
          pipeline: 'p',
          by: 'nosuch',
          key: 'a',
        },
        'dedupe: record a has no "nosuch" field (or it is null): kept, as ' +
          'are all such records of the run; warned once per run',
      ],
    ]);
  });

  it('still drops a record whose by field was seen', async () => {
    const lines: LoggedLine[] = [];
    const dedupe = make('dedupe', { by: 'tx' }, lines);
    const out = await applyTransforms(
      [dedupe],
      [
        { key: 'a', value: { tx: 'x' } },
        { key: 'b', value: { tx: 'x' } },
        { key: 'c', value: {} },
      ],
    );
    expect(out.map((r) => r.key)).toEqual(['a', 'c']);
  });
});

describe('rename', () => {
  it('refuses two fields renamed to one name, at the second', () => {
    const check = definition('rename').check;
    expect(
      check?.({ fields: { name: 'x', 'a/b': 'x', other: 'y' } }, {}),
    ).toEqual([
      {
        pointer: '/fields/a~1b',
        code: 'TRANSFORM_RENAME_TARGET',
        message:
          '"a/b" and "name" are both renamed to "x": the second would ' +
          'replace the first in every record; give each a name of its own',
      },
    ]);
  });

  it('allows renaming onto a field that is not renamed', () => {
    const check = definition('rename').check;
    expect(check?.({ fields: { amount: 'qty' } }, {})).toEqual([]);
  });
});

describe('applyTransforms', () => {
  it('counts, per step, the records received and dropped', async () => {
    const lines: LoggedLine[] = [];
    const tally = newTally(2);
    const out = await applyTransforms(
      [
        make('filter', { where: 'n > 1' }, lines),
        make('dedupe', { by: 'n' }, lines),
      ],
      [1, 2, 3, 3].map((n) => ({ key: `k${n}`, value: { n } })),
      tally,
    );
    expect(out.map((r) => r.key)).toEqual(['k2', 'k3']);
    expect(tally).toEqual({ received: [4, 3], dropped: [1, 1] });
  });
});
