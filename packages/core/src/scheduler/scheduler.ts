import type { ScheduleSpec } from '../model/pipeline.ts';
import { PIPELINE_DEFAULTS } from '../model/pipeline.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Trigger } from './trigger.ts';
import { triggerFor } from './trigger.ts';

/**
 * What happens to ticks that fell while the daemon was down:
 * - `none`: they are skipped (counted as `missed`); the next tick runs;
 * - `latest`: one run starts at once for the latest of them, the others
 *   are skipped. A run covers the latest window anyway, so replaying each
 *   missed tick would fetch the same records again.
 */
export type CatchUpPolicy = 'none' | 'latest';

/**
 * Why a tick did not start a run. A closed set: it is a metric label.
 * `lease_held` comes from the daemon: another process runs the pipeline.
 */
export type SkipReason = 'overlap' | 'missed' | 'lease_held';

/** A pipeline as the scheduler sees it. */
export interface ScheduledPipeline {
  name: string;
  schedule: ScheduleSpec;
  /** Where the schedule came from, for errors (`pipelines/x.yaml`). */
  place: string;
  /** When its last run started (from the ledger), null if it never ran. */
  lastRunAt: number | null;
}

/** One due time that starts a run. */
export interface Tick {
  pipeline: string;
  /** The scheduled instant (ms). */
  dueAt: number;
  /** When the run actually starts (ms): later than dueAt on catch-up. */
  startedAt: number;
  /** True for the run `catch-up: latest` starts after downtime. */
  catchUp: boolean;
}

export interface SchedulerOptions {
  /** Starts one run; the pipeline counts as running until it settles. */
  run(tick: Tick): Promise<unknown>;
  /** A tick (or `count` ticks) that started no run. */
  onSkip?(pipeline: string, reason: SkipReason, count: number): void;
  /** The next due time changed; null when the pipeline left the schedule. */
  onNextRun?(pipeline: string, atMs: number | null): void;
  /** A run's promise rejected: the scheduler carries on. */
  onRunError?(pipeline: string, error: unknown): void;
  clock?: Clock;
  catchUp?: CatchUpPolicy;
  /** For pipelines without a schedule; 6h unless the job list says. */
  defaultIntervalMs?: number;
}

/** Missed ticks are counted up to this many (a per-second cron after a
 * month down would otherwise take a while to count). */
const MISSED_COUNT_LIMIT = 10_000;

/**
 * Runs each pipeline on its schedule, never two runs of one pipeline at
 * once: a tick while it still runs is skipped and reported as `overlap`.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Makes the schedule follow `pipelines`: adds new ones, drops removed
   * ones (their running run finishes) and re-arms changed ones. Throws a
   * ScheduleError, changing nothing, when any schedule is invalid.
   */
  update(pipelines: ScheduledPipeline[]): void {
    const defaultMs =
      this.#options.defaultIntervalMs ?? PIPELINE_DEFAULTS.intervalMs;
    const triggers = new Map<string, Trigger>();
    for (const p of pipelines) {
      triggers.set(p.name, triggerFor(p.schedule, defaultMs, p.place));
    }

    for (const [name, entry] of this.#entries) {
      if (triggers.has(name)) continue;
      this.#disarm(entry);
      this.#entries.delete(name);
      this.#options.onNextRun?.(name, null);
    }
    for (const p of pipelines) {
      const trigger = triggers.get(p.name)!;
      const old = this.#entries.get(p.name);
      const key = JSON.stringify(p.schedule);
      if (old && old.key === key) continue;
      if (old) this.#disarm(old);
      const entry: Entry = old ?? newEntry(p, this.#clock.now());
      entry.key = key;
      entry.trigger = trigger;
      this.#entries.set(p.name, entry);
      if (old) this.#arm(entry);
      else this.#catchUp(entry, p.lastRunAt);
    }
  }

  /** Stops all timers; running runs go on (await `idle()` for them). */
  stop(): void {
    this.#stopped = true;
    for (const entry of this.#entries.values()) this.#disarm(entry);
  }

  /** Resolves when no run started by this scheduler is in flight. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /** Pipelines with a run in flight. */
  running(): string[] {
    return [...this.#entries.values()]
      .filter((e) => e.running)
      .map((e) => e.name);
  }

  /** The next due time of a pipeline (ms), null when none. */
  nextRunAt(pipeline: string): number | null {
    return this.#entries.get(pipeline)?.nextAt ?? null;
  }

  /** `every 6h`, `cron 0 2 * * * (UTC)`: the schedule as the daemon reads it. */
  describe(pipeline: string): string | null {
    return this.#entries.get(pipeline)?.trigger.description ?? null;
  }

  // -------------------------------------------------------------------------

  #catchUp(entry: Entry, lastRunAt: number | null): void {
    const now = this.#clock.now();
    if (lastRunAt !== null) {
      entry.anchor = lastRunAt;
      const missed = this.#countBetween(entry, lastRunAt, now);
      if (missed.count > 0 && this.#options.catchUp === 'latest') {
        if (missed.count > 1) this.#skip(entry, 'missed', missed.count - 1);
        entry.anchor = now;
        this.#start(entry, missed.last, true);
      } else if (missed.count > 0) {
        this.#skip(entry, 'missed', missed.count);
      }
    }
    this.#arm(entry);
  }

  #countBetween(entry: Entry, from: number, to: number) {
    let count = 0;
    let last = from;
    let at = entry.trigger.next(from, entry.anchor);
    while (at !== null && at <= to && count < MISSED_COUNT_LIMIT) {
      count++;
      last = at;
      at = entry.trigger.next(at, entry.anchor);
    }
    return { count, last };
  }

  #arm(entry: Entry): void {
    if (this.#stopped) return;
    const now = this.#clock.now();
    const next = entry.trigger.next(now, entry.anchor);
    entry.nextAt = next;
    this.#options.onNextRun?.(entry.name, next);
    if (next === null) return;
    entry.timer = this.#clock.setTimer(() => {
      entry.timer = null;
      this.#fire(entry, next);
    }, next - now);
  }

  #fire(entry: Entry, dueAt: number): void {
    if (this.#stopped || this.#entries.get(entry.name) !== entry) return;
    const now = this.#clock.now();
    // Ticks that fell between the due time and now (a suspended host).
    const late = this.#countBetween(entry, dueAt, now).count;
    if (late > 0) this.#skip(entry, 'missed', late);

    if (entry.running) this.#skip(entry, 'overlap', 1);
    else this.#start(entry, dueAt, false);
    entry.anchor = dueAt;
    this.#arm(entry);
  }

  #start(entry: Entry, dueAt: number, catchUp: boolean): void {
    const tick: Tick = {
      pipeline: entry.name,
      dueAt,
      startedAt: this.#clock.now(),
      catchUp,
    };
    entry.running = true;
    const done = Promise.resolve()
      .then(() => this.#options.run(tick))
      .then(
        () => {},
        (error: unknown) => this.#options.onRunError?.(entry.name, error),
      )
      .finally(() => {
        entry.running = false;
        this.#inFlight.delete(done);
      });
    this.#inFlight.add(done);
  }

  #skip(entry: Entry, reason: SkipReason, count: number): void {
    this.#options.onSkip?.(entry.name, reason, count);
  }

  #disarm(entry: Entry): void {
    if (entry.timer) this.#clock.clearTimer(entry.timer);
    entry.timer = null;
    entry.nextAt = null;
  }
}

// ---------------------------------------------------------------------------

interface Entry {
  name: string;
  key: string;
  trigger: Trigger;
  /** Where an interval counts from: the last due time or run start. */
  anchor: number;
  timer: TimerHandle | null;
  nextAt: number | null;
  running: boolean;
}

function newEntry(p: ScheduledPipeline, now: number): Entry {
  return {
    name: p.name,
    key: '',
    trigger: { description: '', next: () => null },
    anchor: now,
    timer: null,
    nextAt: null,
    running: false,
  };
}
