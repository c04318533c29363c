import type { EngineHooks } from '@backfill/plugin-kit';
import cliProgress from 'cli-progress';

import type { TerminalFacts } from './terminal.ts';

/** The tap name of the bar on the engine's hooks. */
export const PROGRESS_TAP = 'backfill:progress';

/** A run's progress bar; a no-op when the terminal allows none. */
export interface ProgressBar {
  /** Stops drawing and leaves the last state on screen. */
  stop(): void;
}

export interface ProgressBarOptions {
  facts: TerminalFacts;
  /** Default: stderr, where the bar does not mix with `--json` output. */
  stream?: NodeJS.WritableStream;
}

/**
 * Draws one bar per run of `backfill run` from the engine's hooks: chunks
 * done (with the share of chunks in flight) of chunks planned, records
 * fetched and cli-progress's ETA. Call before the run, `stop()` after.
 */
export function attachProgressBar(
  hooks: EngineHooks,
  options: ProgressBarOptions,
): ProgressBar {
  if (!options.facts.progress) return { stop() {} };

  const bar = new cliProgress.SingleBar(
    {
      stream: options.stream ?? process.stderr,
      format: formatOf(options.facts.color),
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const run = new RunTally();
  let active = false;

  hooks.lifecycle.runStart.tap(PROGRESS_TAP, (info) => {
    run.reset(info.chunks);
    bar.start(1000, 0, { pipeline: info.pipeline, ...run.payload() });
    active = true;
  });
  hooks.fetch.tap(PROGRESS_TAP, (batch, ctx) => {
    run.batch(ctx.chunk.id, batch.records.length, batch.progress);
    if (active) bar.update(run.permille(), run.payload());
    return batch;
  });
  hooks.lifecycle.chunkEnd.tap(PROGRESS_TAP, (chunk) => {
    run.chunkEnded(chunk.chunk.id, chunk.state === 'done');
    if (active) bar.update(run.permille(), run.payload());
  });
  hooks.lifecycle.runEnd.tap(PROGRESS_TAP, (end) => {
    if (!active) return;
    if (end.status === 'succeeded') bar.update(1000, run.payload());
    bar.stop();
    active = false;
  });
  return {
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}

// ---------------------------------------------------------------------------

/** Counts of one run, for the bar. */
class RunTally {
  planned = 0;
  done = 0;
  records = 0;
  /** Share done of each chunk in flight. */
  readonly #inFlight = new Map<string, number>();

  reset(planned: number): void {
    this.planned = planned;
    this.done = 0;
    this.records = 0;
    this.#inFlight.clear();
  }

  batch(chunkId: string, records: number, progress?: number): void {
    this.records += records;
    if (progress !== undefined) this.#inFlight.set(chunkId, progress);
  }

  chunkEnded(chunkId: string, done: boolean): void {
    this.#inFlight.delete(chunkId);
    if (done) this.done++;
  }

  permille(): number {
    if (this.planned === 0) return 0;
    let partial = 0;
    for (const share of this.#inFlight.values()) partial += share;
    return Math.round(((this.done + partial) / this.planned) * 1000);
  }

  payload() {
    return { done: this.done, planned: this.planned, records: this.records };
  }
}

function formatOf(color: boolean): string {
  const bar = color ? '\u001b[36m{bar}\u001b[0m' : '{bar}';
  return (
    `{pipeline} ${bar} {percentage}% | chunks {done}/{planned} | ` +
    '{records} records | ETA {eta_formatted}'
  );
}
