import type { PluginRegistry } from '../engine/registry.ts';
import type { PipelineSpec, StepSpec } from '../model/pipeline.ts';

/**
 * What the daemon runs, as loaded at start and again on each SIGHUP: the
 * pipelines (from the pipelines folder, the host config, a `--config` job
 * list and `BACKFILL_JOBS`) and the plugins they use.
 */
export interface DaemonProject {
  pipelines: PipelineSpec[];
  registry: PluginRegistry;
  /** The job list's `default_interval` (ms); 6h when absent. */
  defaultIntervalMs?: number;
  /** Where state goes when a data store keeps none. */
  stateStore?: StepSpec;
  /** Host-config settings for a pipeline's source. */
  settingsFor?(spec: PipelineSpec): Record<string, unknown>;
}
