import type { ChunkState, StateBackend } from '@backfill/plugin-kit';

import type { RunProgress } from './progress.ts';
import { runProgress } from './progress.ts';

/** One pipeline's standing in the ledger. */
export interface PipelineStatus {
  name: string;
  /** The newest run's id and status, null before the first run. */
  lastRun: { id: string; status: RunProgress['status'] } | null;
  /** End of the newest succeeded run. */
  lastSuccessAt: string | null;
  /** Every chunk of the pipeline in the ledger, by state. */
  chunks: Record<ChunkState, number>;
  gaps: number;
  deadLetters: number;
  /** Filled by the daemon: when the next scheduled run is due. */
  nextRunAt?: string | null;
}

/** What `backfill status --json` and the daemon's `/status` print. */
export interface StatusReport {
  generatedAt: string;
  pipelines: PipelineStatus[];
  /** Runs the ledger says are running, newest first. */
  active: RunProgress[];
  /** Runs that succeeded, newest first. */
  completed: RunProgress[];
  /** Runs that failed, timed out or were interrupted, newest first. */
  failed: RunProgress[];
}

export interface StatusQuery {
  /** The pipelines to report; default: every pipeline with a run. */
  pipelines?: string[];
  /** Runs per pipeline, newest first. 10. */
  runsPerPipeline?: number;
  now?: number;
}

/** Reads runs, chunks, gaps and dead letters from one state store. */
export async function readStatus(
  state: StateBackend,
  query: StatusQuery = {},
): Promise<StatusReport> {
  const now = query.now ?? Date.now();
  const names =
    query.pipelines ?? unique((await state.listRuns()).map((r) => r.pipeline));
  const report = emptyReport(now);

  for (const name of names) {
    const runs = await state.listRuns({
      pipeline: name,
      limit: query.runsPerPipeline ?? 10,
    });
    const chunks = await state.listChunks(name);
    // Not yet: dead letters are read whole to be counted; a pipeline with
    // millions of them makes `status` slow. Needs a count query.
    const letters = await state.listDeadLetters(name);
    const gaps = await state.listGaps(name);
    const lease = await state.getLease(name);

    for (const run of runs) {
      const progress = runProgress({
        run,
        chunks,
        gaps: gaps.filter((g) => g.runId === run.id).length,
        deadLetters: letters.filter((l) => l.runId === run.id).length,
        stale: run.status === 'running' && lease?.runId !== run.id,
        now,
      });
      listFor(report, run.status).push(progress);
    }
    report.pipelines.push({
      name,
      lastRun: runs[0] ? { id: runs[0].id, status: runs[0].status } : null,
      lastSuccessAt: (await lastSuccess(state, name, runs))?.endedAt ?? null,
      chunks: countStates(chunks.map((c) => c.state)),
      gaps: gaps.length,
      deadLetters: letters.length,
    });
  }
  return sortReport(report);
}

/** One report from several state stores (pipelines on different stores). */
export function mergeStatus(
  reports: StatusReport[],
  now: number,
): StatusReport {
  const merged = emptyReport(now);
  for (const r of reports) {
    merged.pipelines.push(...r.pipelines);
    merged.active.push(...r.active);
    merged.completed.push(...r.completed);
    merged.failed.push(...r.failed);
  }
  return sortReport(merged);
}

// ---------------------------------------------------------------------------

function emptyReport(now: number): StatusReport {
  return {
    generatedAt: new Date(now).toISOString(),
    pipelines: [],
    active: [],
    completed: [],
    failed: [],
  };
}

function listFor(report: StatusReport, status: RunProgress['status']) {
  if (status === 'running') return report.active;
  if (status === 'succeeded') return report.completed;
  return report.failed;
}

async function lastSuccess(
  state: StateBackend,
  pipeline: string,
  recent: Awaited<ReturnType<StateBackend['listRuns']>>,
) {
  const found = recent.find((r) => r.status === 'succeeded');
  if (found) return found;
  // Older than the recent runs: the whole history, once.
  const all = await state.listRuns({ pipeline });
  return all.find((r) => r.status === 'succeeded');
}

function countStates(states: ChunkState[]): Record<ChunkState, number> {
  const counts = { pending: 0, running: 0, done: 0, failed: 0 };
  for (const s of states) counts[s]++;
  return counts;
}

function sortReport(report: StatusReport): StatusReport {
  const newestFirst = (a: RunProgress, b: RunProgress) =>
    b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id);
  report.pipelines.sort((a, b) => a.name.localeCompare(b.name));
  report.active.sort(newestFirst);
  report.completed.sort(newestFirst);
  report.failed.sort(newestFirst);
  return report;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
