/**
 * The pipeline model: what a pipeline file, a job of the older job list and
 * the `BACKFILL_JOBS` variable all load into. Everything downstream (the
 * engine, the scheduler, status) reads this, never the raw file.
 */

/** Where a value came from, for error messages. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  /** JSON pointer of the node in its file. */
  pointer: string;
}

/** The range a run covers. */
export type WindowSpec =
  /** The latest `durationMs` up to the run's start (older service: 6h). */
  | { kind: 'last'; durationMs: number }
  /** Half-open `[from, to)`, ISO-8601. */
  | { kind: 'time'; from: string; to: string }
  /** Inclusive `[start, end]` slots or blocks. */
  | { kind: 'slot'; start: number; end: number };

export interface StepSpec {
  /** Plugin source, transform or store name (`chain`, `filter`, `sqlite`). */
  use: string;
  /** The `with:` block, `${ENV}` resolved, validated by the plugin schema. */
  with: Record<string, unknown>;
  /**
   * The name of the plugin that provides `use`, once validation resolved
   * it (absent when validated without a plugin registry).
   */
  plugin?: string;
}

export interface SourceSpec extends StepSpec {
  batchSize: number;
}

export interface ScheduleSpec {
  /** 5- or 6-field cron; absent means `intervalMs`. */
  cron?: string;
  /** IANA time zone for `cron`; UTC when absent. */
  timezone?: string;
  /** Every so many ms over the latest window, as the older service did. */
  intervalMs?: number;
}

export interface PipelineSpec {
  name: string;
  description?: string;
  enabled: boolean;
  schedule: ScheduleSpec;
  /** null: the latest default interval (6h unless the job list says). */
  window: WindowSpec | null;
  source: SourceSpec;
  transform: StepSpec[];
  store: StepSpec;
  maxRetries: number;
  /** Aborts the run after this long; absent means no timeout. */
  timeoutMs?: number;
  /** Chunks run at once. */
  concurrency: number;
  /**
   * Every value that `${VAR}` resolved to in this pipeline: logs, errors
   * and `--json` output redact them wherever they appear.
   */
  secrets: string[];
  origin: {
    file: string;
    kind: 'pipeline' | 'job-list' | 'environment' | 'code';
    /** For a job list: the pointer of this job (`/jobs/2`). */
    pointer?: string;
  };
}

/** Defaults shared by the loader, the engine and the docs. */
export const PIPELINE_DEFAULTS = {
  batchSize: 1000,
  maxRetries: 3,
  concurrency: 1,
  /** The older service's default interval and latest window: 6h. */
  intervalMs: 6 * 60 * 60 * 1000,
  store: { use: 'sqlite', with: {} },
} as const;
