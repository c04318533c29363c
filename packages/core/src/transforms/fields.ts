import type { Json, TransformDefinition } from '@backfill/plugin-kit';

const fieldList = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', minLength: 1 },
} as const;

/** Keeps only the named top-level fields of each record. */
export const pick: TransformDefinition<{ fields: string[] }> = {
  name: 'pick',
  description: 'keep only the named fields',
  schema: closed({ fields: fieldList }),
  create({ fields }) {
    return (record) => {
      const value: { [field: string]: Json } = {};
      for (const field of fields) {
        if (field in record.value) value[field] = record.value[field] as Json;
      }
      return { key: record.key, value };
    };
  },
};

/** Drops the named top-level fields of each record. */
export const omit: TransformDefinition<{ fields: string[] }> = {
  name: 'omit',
  description: 'drop the named fields',
  schema: closed({ fields: fieldList }),
  create({ fields }) {
    const dropped = new Set(fields);
    return (record) => {
      const value: { [field: string]: Json } = {};
      for (const field in record.value) {
        if (!dropped.has(field)) value[field] = record.value[field] as Json;
      }
      return { key: record.key, value };
    };
  },
};

/** Renames top-level fields: `{ fields: { blockTime: block_time } }`. */
export const rename: TransformDefinition<{ fields: Record<string, string> }> = {
  name: 'rename',
  description: 'rename fields, old name to new name',
  schema: closed({
    fields: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'string', minLength: 1 },
    },
  }),
  create({ fields }) {
    const pairs = Object.entries(fields);
    return (record) => {
      const value = { ...record.value };
      for (const [from, to] of pairs) {
        if (!(from in value)) continue;
        value[to] = value[from] as Json;
        delete value[from];
      }
      return { key: record.key, value };
    };
  },
};

/** Sets fields to constant values: `{ fields: { network: mainnet } }`. */
export const set: TransformDefinition<{ fields: Record<string, Json> }> = {
  name: 'set',
  description: 'set fields to constant values',
  schema: closed({
    fields: { type: 'object', minProperties: 1 },
  }),
  create({ fields }) {
    return (record) => ({
      key: record.key,
      value: { ...record.value, ...fields },
    });
  },
};

/** A closed object schema whose properties are all required. */
export function closed(properties: Record<string, unknown>) {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
  };
}
