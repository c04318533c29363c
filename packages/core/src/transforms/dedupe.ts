import type { SourceRecord, TransformDefinition } from '@backfill/plugin-kit';

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
 * key absorbs it anyway). A record without the `by` field, or with it
 * null, is kept: like SQL's NULL in a unique index, no value is equal to
 * no other, so a misspelt `by` cannot reduce a run to one record.
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
  create({ by, window = 100_000 }, { logger, pipeline }) {
    const seen = new Set<string>();
    let warned = false;
    return (record) => {
      const id = by === undefined ? record.key : identityOf(record.value, by);
      if (id === undefined) {
        if (!warned) {
          warned = true;
          logger.warn(
            { code: 'TRANSFORM_DEDUPE_MISSING', pipeline, by, key: record.key },
            `dedupe: record ${record.key} has no "${by}" field (or it is ` +
              'null): kept, as are all such records of the run; warned ' +
              'once per run',
          );
        }
        return record;
      }
      if (seen.has(id)) return null;
      seen.add(id);
      // A Set iterates in insertion order: the first is the oldest.
      if (seen.size > window) seen.delete(seen.values().next().value as string);
      return record;
    };
  },
};

// ---------------------------------------------------------------------------

/** The `by` field as JSON text; undefined when absent or null. */
function identityOf(
  value: SourceRecord['value'],
  by: string,
): string | undefined {
  // Own fields only: `by: __proto__` must not read the prototype.
  const v = Object.hasOwn(value, by) ? value[by] : undefined;
  return v === undefined || v === null ? undefined : JSON.stringify(v);
}
