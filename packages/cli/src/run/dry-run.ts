import {
  collectionOf,
  latestWindowMs,
  PIPELINE_DEFAULTS,
  type PipelineSpec,
  type PluginRegistry,
  planChunks,
  redactDeep,
  type WindowSpec,
  windowRange,
} from '@backfill/core';
import type { ChunkRange } from '@backfill/plugin-kit';

/** What `run --dry-run` shows of one pipeline: nothing is written. */
export interface RunPlan {
  pipeline: string;
  source: { use: string; batchSize: number; with: Record<string, unknown> };
  transform: Array<{ use: string; with: Record<string, unknown> }>;
  store: { use: string; with: Record<string, unknown>; collection: string };
  window: ChunkRange;
  chunks: Array<{ id: string; range: ChunkRange }>;
}

/** Plans a pipeline as a run would, with its secrets redacted. */
export function planOf(
  spec: PipelineSpec,
  registry: PluginRegistry,
  window: WindowSpec | null | undefined,
  now: number,
): RunPlan {
  const effective = window === undefined ? spec.window : window;
  const source = registry.source(spec.source.use);
  const latestMs = latestWindowMs(
    spec.schedule,
    PIPELINE_DEFAULTS.intervalMs,
    now,
  );
  const chunks = planChunks({
    window: effective,
    now,
    defaultIntervalMs: latestMs,
    capabilities: source.capabilities,
  });
  return redactDeep(
    {
      pipeline: spec.name,
      source: {
        use: spec.source.use,
        batchSize: spec.source.batchSize,
        with: spec.source.with,
      },
      transform: spec.transform.map((t) => ({ use: t.use, with: t.with })),
      store: {
        use: spec.store.use,
        with: spec.store.with,
        collection: collectionOf(spec.source.use),
      },
      window: windowRange(effective, now, latestMs),
      chunks,
    },
    spec.secrets,
  );
}

/** The plan as a few lines for a terminal. */
export function formatPlan(plan: RunPlan): string {
  const range = (r: ChunkRange) =>
    r.kind === 'time' ? `${r.from} to ${r.to}` : `slots ${r.start} to ${r.end}`;
  const lines = [
    `${plan.pipeline}: ${range(plan.window)} in ${plan.chunks.length} chunks`,
    `  source    ${plan.source.use} ${JSON.stringify(plan.source.with)}`,
    ...plan.transform.map(
      (t) => `  transform ${t.use} ${JSON.stringify(t.with)}`,
    ),
    `  store     ${plan.store.use} ${JSON.stringify(plan.store.with)} ` +
      `-> ${plan.store.collection}`,
    ...plan.chunks.map((c) => `  chunk     ${range(c.range)}`),
  ];
  return `${lines.join('\n')}\n`;
}
