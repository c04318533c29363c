import type { Logger } from '@backfill/plugin-kit';
import { silentLogger } from '@backfill/plugin-kit';

import type { PipelineSpec, StepSpec } from '../model/pipeline.ts';
import { applyTransforms } from './delivery.ts';
import { messageOf } from './errors.ts';
import type { Hooks } from './hooks.ts';
import type { PluginRegistry } from './registry.ts';
import { tappedHooks } from './runner.ts';
import { openStores } from './stores.ts';

export interface ReplayOptions {
  registry: PluginRegistry;
  cwd: string;
  logger?: Logger;
  hooks?: Hooks;
  stateStore?: StepSpec;
}

export interface ReplayResult {
  pipeline: string;
  /** Stored now and removed from the dead-letter table. */
  replayed: number;
  /** Still failing: kept, with the error of this attempt logged. */
  failed: Array<{ id: number; key: string; error: string }>;
}

/**
 * `backfill dlq replay`: runs each dead letter of the pipeline through
 * its transforms and store again (once, no backoff) and removes the ones
 * that now go through. Not yet: replay takes no lease, so running it
 * while the pipeline runs may interleave upserts of the same keys.
 */
export async function replayDeadLetters(
  spec: PipelineSpec,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const logger = (options.logger ?? silentLogger).child({
    pipeline: spec.name,
  });
  const hooks = options.hooks ?? tappedHooks(options.registry);
  const transforms = spec.transform.map((step) =>
    options.registry
      .transform(step.use)
      .create(step.with, { logger, pipeline: spec.name }),
  );
  const stores = await openStores(spec, options, logger);
  const result: ReplayResult = { pipeline: spec.name, replayed: 0, failed: [] };
  try {
    for (const letter of await stores.state.listDeadLetters(spec.name)) {
      const ctx = {
        pipeline: spec.name,
        runId: letter.runId,
        chunk: {
          id: letter.chunkId,
          range: { kind: 'slot' as const, start: 0, end: 0 },
        },
      };
      try {
        let records = await applyTransforms(transforms, [letter.record]);
        records = await hooks.transform.promise(records, ctx);
        const write = await hooks.store.promise(
          { pipeline: spec.name, collection: letter.collection, records },
          ctx,
        );
        await stores.session.write(write);
        await stores.state.removeDeadLetter(letter.id);
        result.replayed++;
      } catch (error) {
        result.failed.push({
          id: letter.id,
          key: letter.record.key,
          error: messageOf(error),
        });
        logger.warn({ key: letter.record.key, err: error }, 'replay failed');
      }
    }
  } finally {
    await stores.close();
  }
  return result;
}
