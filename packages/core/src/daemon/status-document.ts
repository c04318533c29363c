import type { PipelineSpec } from '../model/pipeline.ts';
import type { CatchUpPolicy, Scheduler } from '../scheduler/index.ts';
import type { PipelineStatus, StatusReport } from '../status/index.ts';
import { statusOf } from '../status/index.ts';
import type { DaemonProject } from './project.ts';

/** The daemon's `/status`: the ledger's report plus the schedule. */
export interface DaemonStatus extends StatusReport {
  daemon: {
    pid: number;
    startedAt: string;
    reloadedAt: string | null;
    port: number | null;
    catchUp: CatchUpPolicy;
    stopping: boolean;
  };
  pipelines: Array<
    PipelineStatus & {
      /** `every 6h`, `cron 0 2 * * * (UTC)`. */
      schedule: string | null;
      nextRunAt: string | null;
      /** True while this daemon runs the pipeline. */
      running: boolean;
    }
  >;
}

export interface DaemonStatusInput {
  project: DaemonProject;
  pipelines: PipelineSpec[];
  scheduler: Scheduler;
  cwd: string;
  now: number;
  daemon: DaemonStatus['daemon'];
}

export async function daemonStatus(
  input: DaemonStatusInput,
): Promise<DaemonStatus> {
  const report = await statusOf(input.pipelines, {
    registry: input.project.registry,
    cwd: input.cwd,
    now: input.now,
    ...(input.project.stateStore
      ? { stateStore: input.project.stateStore }
      : {}),
  });
  const running = new Set(input.scheduler.running());
  return {
    ...report,
    daemon: input.daemon,
    pipelines: report.pipelines.map((p) => {
      const next = input.scheduler.nextRunAt(p.name);
      return {
        ...p,
        schedule: input.scheduler.describe(p.name),
        nextRunAt: next === null ? null : new Date(next).toISOString(),
        running: running.has(p.name),
      };
    }),
  };
}
