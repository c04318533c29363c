import { definePlugin, PLUGIN_API_VERSION } from '@backfill/plugin-kit';

interface RejectParams {
  /** Slots whose record throws: poison records. */
  slots?: number[];
  /** Every slot from this one on throws: a whole batch fails. */
  from?: number;
}

/**
 * A test plugin loaded through a host config, like a user's: the
 * transform `reject` throws on the records it names, so that a test can
 * make records dead-letter and then "fix" the pipeline by removing it.
 */
export default definePlugin({
  name: 'backfill-plugin-reject',
  apiVersion: PLUGIN_API_VERSION,
  transforms: [
    {
      name: 'reject',
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          slots: { type: 'array', items: { type: 'integer' } },
          from: { type: 'integer' },
        },
      },
      create: (params: RejectParams) => (record) => {
        const slot = record.value.slot as number;
        if (params.slots?.includes(slot) || slot >= (params.from ?? Infinity)) {
          throw new Error(`rejected ${record.key}`);
        }
        return record;
      },
    },
  ],
});
