import type { SkipReason } from '../scheduler/index.ts';
import type { BackfillMetrics } from './registry.ts';

/**
 * The scheduler callbacks that keep the schedule metrics: hand them to
 * `new Scheduler({ ...scheduleMetrics(metrics), run })`.
 */
export function scheduleMetrics(metrics: BackfillMetrics) {
  return {
    onSkip(pipeline: string, reason: SkipReason, count: number): void {
      metrics.scheduleSkipped.inc({ pipeline, reason }, count);
    },
    onNextRun(pipeline: string, atMs: number | null): void {
      if (atMs === null) metrics.scheduleNextRun.remove({ pipeline });
      else metrics.scheduleNextRun.set({ pipeline }, Math.floor(atMs / 1000));
    },
  };
}
