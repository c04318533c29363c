import type { BackfillMetrics } from '../metrics/index.ts';
import { setChunkCounts } from '../metrics/index.ts';
import type { PipelineSpec } from '../model/pipeline.ts';
import { forEachStateStore } from '../status/index.ts';
import type { DaemonProject } from './project.ts';

/** What the daemon takes from the ledger when it loads pipelines. */
export interface LedgerTimes {
  /**
   * When each pipeline's newest run started: the scheduler counts the
   * ticks missed since then and anchors intervals on it.
   */
  lastRun: Map<string, number>;
  /** When each pipeline's newest succeeded run ended (ms). */
  lastSuccess: Map<string, number>;
}

/** The newest run and newest success of each pipeline, from the ledger. */
export async function ledgerTimes(
  pipelines: PipelineSpec[],
  project: DaemonProject,
  cwd: string,
): Promise<LedgerTimes> {
  const times: LedgerTimes = { lastRun: new Map(), lastSuccess: new Map() };
  await forEachStateStore(
    pipelines,
    storeOptions(project, cwd),
    async (state, names) => {
      for (const name of names) {
        const [newest] = await state.listRuns({ pipeline: name, limit: 1 });
        if (!newest) continue;
        times.lastRun.set(name, Date.parse(newest.startedAt));
        // Newest first; the whole history only when the newest failed.
        const runs =
          newest.status === 'succeeded'
            ? [newest]
            : await state.listRuns({ pipeline: name });
        const success = runs.find((r) => r.status === 'succeeded');
        if (success?.endedAt) {
          times.lastSuccess.set(name, Date.parse(success.endedAt));
        }
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
