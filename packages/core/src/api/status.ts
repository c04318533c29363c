import type { Scheduler } from '../scheduler/scheduler.ts';
import type { RunProgress } from '../status/progress.ts';
import type { StatusReport } from '../status/report.ts';

/** What `Backfiller.status()` returns: the older service's GetStatus. */
export interface BackfillerStatus {
  /** Runs going on now, newest first. */
  active: JobProgress[];
  /** Runs that succeeded, newest first. */
  completed: JobProgress[];
  /** Runs that failed, timed out or were interrupted, newest first. */
  failed: JobProgress[];
  /** Enabled jobs on the schedule (cron or interval). */
  scheduled: number;
  /** Start of the newest run of any job; null before the first. */
  lastRunAt: string | null;
  /** The earliest next tick; null until `start()`. */
  nextRunAt: string | null;
}

/** One run's progress: the older service's GetJobProgress. */
export interface JobProgress {
  /** The run id. */
  id: string;
  /** The job (pipeline) name. */
  job: string;
  status: RunProgress['status'];
  /** Share of the job's window done, 0 to 1. */
  fraction: number;
  /** Records stored by this run. */
  records: number;
  /** Seconds left at this run's pace; null when not running. */
  etaSeconds: number | null;
  error: string | null;
}

/** The status from a ledger report and the scheduler, if started. */
export function backfillerStatus(
  report: StatusReport,
  jobs: string[],
  scheduled: number,
  scheduler: Scheduler | null,
): BackfillerStatus {
  const all = [...report.active, ...report.completed, ...report.failed];
  const last =
    all
      .map((r) => r.startedAt)
      .sort()
      .at(-1) ?? null;
  const next = scheduler
    ? jobs
        .map((name) => scheduler.nextRunAt(name))
        .filter((at): at is number => at !== null)
        .sort((a, b) => a - b)[0]
    : undefined;
  return {
    active: report.active.map(jobProgress),
    completed: report.completed.map(jobProgress),
    failed: report.failed.map(jobProgress),
    scheduled,
    lastRunAt: last,
    nextRunAt: next === undefined ? null : new Date(next).toISOString(),
  };
}

export function jobProgress(run: RunProgress): JobProgress {
  return {
    id: run.id,
    job: run.pipeline,
    status: run.status,
    fraction: run.fraction,
    records: run.recordsStored,
    etaSeconds: run.etaSeconds,
    error: run.error,
  };
}

/** Every run of a report, whatever its state. */
export function runsOf(report: StatusReport): RunProgress[] {
  return [...report.active, ...report.completed, ...report.failed];
}

/** The progress of a run by id, else of a job's newest run by name. */
export function progressOf(
  runs: RunProgress[],
  jobOrRunId: string,
): JobProgress | null {
  const byId = runs.find((r) => r.id === jobOrRunId);
  const newest = runs
    .filter((r) => r.pipeline === jobOrRunId)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  const run = byId ?? newest;
  return run ? jobProgress(run) : null;
}
