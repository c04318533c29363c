import {
  definePlugin,
  PLUGIN_API_VERSION,
  type SourceBatch,
  type SourceContext,
} from '@backfill/plugin-kit';

interface ChainParams {
  programs: string[];
  network?: string;
}

/**
 * A local stand-in for the chain source, for the example: the same `with:`
 * block as the older service's `chain_params`, one record per program and
 * slot (`marginfi:12`), no network.
 */
export default definePlugin({
  name: 'backfill-plugin-local-chain',
  apiVersion: PLUGIN_API_VERSION,
  sources: [
    {
      name: 'chain',
      schema: {
        type: 'object',
        required: ['programs'],
        properties: {
          programs: { type: 'array', items: { type: 'string' } },
          network: { type: 'string' },
        },
      },
      capabilities: { resumable: true, splittable: true, ranges: ['slot'] },
      fetch: slots,
    },
  ],
});

async function* slots(
  ctx: SourceContext<ChainParams>,
): AsyncIterable<SourceBatch> {
  const range = ctx.chunk.range;
  if (range.kind !== 'slot') throw new Error('local chain reads slot ranges');
  let slot = (ctx.cursor as { next: number } | null)?.next ?? range.start;
  while (slot <= range.end) {
    const last = Math.min(range.end, slot + ctx.batchSize - 1);
    const records = [];
    for (let n = slot; n <= last; n++) {
      for (const program of ctx.params.programs) {
        records.push({ key: `${program}:${n}`, value: { program, slot: n } });
      }
    }
    slot = last + 1;
    yield { records, cursor: { next: slot } };
  }
}
