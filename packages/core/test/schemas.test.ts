import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { compileSchema } from '../src/validate/ajv.ts';

const rootSchemas = join(import.meta.dirname, '../../../schemas');
const shipped = join(import.meta.dirname, '../schemas');
const names = readdirSync(rootSchemas).filter((n) => n.endsWith('.json'));

/** Schema nodes with properties that may hold keys of any name. */
const OPEN = new Set([
  // Plugin parameters: the plugin's own (closed) schema checks them.
  'pipeline.schema.json#/$defs/with',
  'job-list.schema.json#/$defs/request/anyOf/0/properties/chain_params',
  'job-list.schema.json#/$defs/request/anyOf/1/properties/glacier_params',
  'job-list.schema.json#/$defs/request/anyOf/2/properties/off_chain_params',
  'config.schema.json#/properties/store/properties/with',
  // Settings a plugin reads: the plugin says what they mean.
  'config.schema.json#/properties/settings/additionalProperties',
  // Closed in each branch of its anyOf, picked by `source`.
  'job-list.schema.json#/$defs/request',
]);

function openObjects(node: unknown, file: string, at = '#'): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  const out: string[] = [];
  const isObject = record.type === 'object' || 'properties' in record;
  if (
    isObject &&
    record.additionalProperties === undefined &&
    !OPEN.has(`${file}${at}`)
  ) {
    out.push(`${file}${at}`);
  }
  for (const [key, child] of Object.entries(record)) {
    if (key === 'properties' || key === '$defs') {
      for (const [name, sub] of Object.entries(child as object)) {
        out.push(...openObjects(sub, file, `${at}/${key}/${name}`));
      }
    } else if (Array.isArray(child)) {
      child.forEach((sub, i) => {
        out.push(...openObjects(sub, file, `${at}/${key}/${i}`));
      });
    } else if (typeof child === 'object' && key !== 'default') {
      out.push(...openObjects(child, file, `${at}/${key}`));
    }
  }
  return out;
}

describe('schemas', () => {
  it('ships pipeline, job-list and config schemas', () => {
    expect(names.sort()).toEqual([
      'config.schema.json',
      'job-list.schema.json',
      'pipeline.schema.json',
    ]);
  });

  it.each(names)(
    'packages/core/schemas/%s is byte-identical to schemas/',
    (name) => {
      expect(readFileSync(join(shipped, name))).toEqual(
        readFileSync(join(rootSchemas, name)),
      );
    },
  );

  it.each(names)('%s is exported through the exports map of core', (name) => {
    // Resolved as a user's package would: through core's exports map.
    const require = createRequire(join(import.meta.dirname, '../../cli/x.js'));
    expect(require.resolve(`@backfill/core/schemas/${name}`)).toBe(
      join(shipped, name),
    );
  });

  it.each(names)('%s is JSON Schema 2020-12 and compiles', (name) => {
    const schema = JSON.parse(readFileSync(join(rootSchemas, name), 'utf8'));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(() => compileSchema(schema)).not.toThrow();
  });

  it.each(names)('%s is closed: no object takes unknown keys', (name) => {
    const schema = JSON.parse(readFileSync(join(rootSchemas, name), 'utf8'));
    expect(openObjects(schema, name)).toEqual([]);
  });
});
