import { randomUUID } from 'node:crypto';

import type { Logger, RecordTransform } from '@backfill/plugin-kit';
import { silentLogger } from '@backfill/plugin-kit';

import type { PipelineSpec, StepSpec } from '../model/pipeline.ts';
import { type Clock, systemClock } from '../retry/clock.ts';
import { applyTransforms } from './delivery.ts';
import { codeOf, messageOf } from './errors.ts';
import type { Hooks } from './hooks.ts';
import { acquireLease } from './lease.ts';
import type { PluginRegistry } from './registry.ts';
import { tappedHooks } from './runner.ts';
import { type OpenStores, openStores } from './stores.ts';

export interface ReplayOptions {
  registry: PluginRegistry;
  cwd: string;
  logger?: Logger;
  hooks?: Hooks;
  stateStore?: StepSpec;
  clock?: Clock;
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
 * that now go through. It holds the pipeline's lease meanwhile, so that a
 * run and a replay never upsert the same keys at once: a running pipeline
 * makes it fail with ENGINE_LEASE_HELD, changing nothing.
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
    const lease = await acquireLease(stores.state, {
      pipeline: spec.name,
      runId: `replay-${randomUUID()}`,
      force: false,
      clock: options.clock ?? systemClock,
      logger,
      // Letters are replayed one by one: a lost lease stops nothing
      // half-written, and the run that took it over upserts the same way.
      onLost: () => logger.warn({}, 'the lease was taken over during replay'),
    });
    try {
      await replayEach(spec, stores, transforms, hooks, logger, result);
    } finally {
      await lease.release();
    }
  } finally {
    await stores.close();
  }
  return result;
}

// ---------------------------------------------------------------------------

async function replayEach(
  spec: PipelineSpec,
  stores: OpenStores,
  transforms: RecordTransform[],
  hooks: Hooks,
  logger: Logger,
  result: ReplayResult,
): Promise<void> {
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
      // Not `err`: a library's full stack at warn level is noise here.
      logger.warn(
        {
          key: letter.record.key,
          code: codeOf(error),
          error: messageOf(error),
        },
        'replay failed',
      );
    }
  }
}
