import type { TransformDefinition } from '@backfill/plugin-kit';

export interface DedupeParams {
  /** A top-level field to compare; the record key when absent. */
  by?: string;
  /** How many recent values to remember. Default 100,000. */
  window?: number;
}

/**
 * Drops a record whose key (or `by` field) was already seen in this run.
 * Memory stays bounded: only the latest `window` values are remembered,
 * so a duplicate further apart than that passes (the store's upsert on
 * key absorbs it anyway).
 */
export const dedupe: TransformDefinition<DedupeParams> = {
  name: 'dedupe',
  description: 'drop records already seen in this run',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      by: { type: 'string', minLength: 1 },
      window: { type: 'integer', minimum: 1 },
    },
  },
  create({ by, window = 100_000 }) {
    const seen = new Set<string>();
    return (record) => {
      const id =
        by === undefined ? record.key : JSON.stringify(record.value[by]);
      if (seen.has(id)) return null;
      seen.add(id);
      // A Set iterates in insertion order: the first is the oldest.
      if (seen.size > window) seen.delete(seen.values().next().value as string);
      return record;
    };
  },
};
