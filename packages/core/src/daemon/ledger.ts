import type { BackfillMetrics } from '../metrics/index.ts';
import { setChunkCounts } from '../metrics/index.ts';
import type { PipelineSpec } from '../model/pipeline.ts';
import { forEachStateStore } from '../status/index.ts';
import type { DaemonProject } from './project.ts';

/**
 * When each pipeline's newest run started, from the ledger: the scheduler
 * counts the ticks missed since then and anchors intervals on it.
 */
export async function lastRunTimes(
  pipelines: PipelineSpec[],
  project: DaemonProject,
  cwd: string,
): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  await forEachStateStore(
    pipelines,
    storeOptions(project, cwd),
    async (state, names) => {
      for (const name of names) {
        const [newest] = await state.listRuns({ pipeline: name, limit: 1 });
        if (newest) times.set(name, Date.parse(newest.startedAt));
      }
    },
  );
  return times;
}

/** Sets `backfill_chunks` from the ledger: read at each scrape. */
export async function refreshChunkGauges(
  pipelines: PipelineSpec[],
  project: DaemonProject,
  cwd: string,
  metrics: BackfillMetrics,
): Promise<void> {
  await forEachStateStore(
    pipelines,
    storeOptions(project, cwd),
    async (state, names) => {
      for (const name of names) {
        const counts = { pending: 0, running: 0, done: 0, failed: 0 };
        for (const chunk of await state.listChunks(name)) counts[chunk.state]++;
        setChunkCounts(metrics, name, counts);
      }
    },
  );
}

function storeOptions(project: DaemonProject, cwd: string) {
  return {
    registry: project.registry,
    cwd,
    ...(project.stateStore ? { stateStore: project.stateStore } : {}),
  };
}
