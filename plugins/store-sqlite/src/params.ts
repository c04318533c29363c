import type { JsonSchema } from '@backfill/plugin-kit';

/** The `with:` block of `store: { use: sqlite }`. */
export interface SqliteParams {
  /** Database file, relative to the working folder; `:memory:` works. */
  path?: string;
  /** How long a writer waits for another process's lock, ms. */
  busy_timeout_ms?: number;
}

export const paramsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description: 'Database file; default .backfill/backfill.db',
    },
    busy_timeout_ms: {
      type: 'integer',
      minimum: 0,
      description: 'Wait for a lock held by another process; default 5000',
    },
  },
};
