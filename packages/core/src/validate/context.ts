import type { HostConfigValues } from '../config/host-config.ts';
import type { Diagnostic } from '../errors/diagnostic.ts';
import type { PipelineSpec } from '../model/pipeline.ts';
import type { LoadedPluginRegistry } from '../plugins/registry.ts';

/** What validating a file needs beyond the file itself. */
export interface ValidationContext {
  /** The project's plugins; without it, `use:` and `with:` go unchecked. */
  registry?: LoadedPluginRegistry;
  /** The host config's values: default store, defaults, aliases. */
  config?: HostConfigValues;
}

/** A job or pipeline that is disabled: validated, then skipped. */
export interface SkippedPipeline {
  name: string;
  pointer: string;
  line: number;
  column: number;
}

/** The outcome of validating one file (or `$BACKFILL_JOBS`). */
export interface FileReport {
  file: string;
  /** `config`: the host config, with the plugins it names. */
  kind: 'pipeline' | 'job-list' | 'environment' | 'config';
  /** True when the file has no error (warnings do not count). */
  valid: boolean;
  /** Errors and warnings, by line and column. */
  diagnostics: Diagnostic[];
  /** The pipelines it defines; empty when it is invalid. */
  pipelines: PipelineSpec[];
  skipped: SkippedPipeline[];
  /**
   * The names the input declares, read even when it is invalid, so that
   * `status <name>` can say which file failed rather than "no pipeline".
   */
  declared?: string[];
}
