import type {
  Chunk,
  ChunkRange,
  SourceCapabilities,
} from '@backfill/plugin-kit';

import type { WindowSpec } from '../model/pipeline.ts';
import { EngineError } from './errors.ts';

export interface PlanOptions {
  /** The pipeline's window, or the flags' override; null = latest. */
  window: WindowSpec | null;
  /** The run's start, ms since the epoch. */
  now: number;
  /** Length of the latest window when `window` is null (6h). */
  defaultIntervalMs: number;
  capabilities: SourceCapabilities;
  /** Size of a time chunk. Default 1 hour. */
  chunkMs?: number;
  /** Slots per slot chunk. Default 100,000. */
  chunkSlots?: number;
}

export const PLAN_DEFAULTS = { chunkMs: 3_600_000, chunkSlots: 100_000 };

/** The whole range a run covers. */
export function windowRange(
  window: WindowSpec | null,
  now: number,
  defaultIntervalMs: number,
): ChunkRange {
  const w = window ?? { kind: 'last', durationMs: defaultIntervalMs };
  if (w.kind === 'slot') return { kind: 'slot', start: w.start, end: w.end };
  if (w.kind === 'time') return { kind: 'time', from: w.from, to: w.to };
  return {
    kind: 'time',
    from: new Date(now - w.durationMs).toISOString(),
    to: new Date(now).toISOString(),
  };
}

/**
 * Splits the window into chunks on a fixed grid (whole hours, multiples of
 * 100,000 slots), so that an overlapping later run plans the same ids for
 * the shared part and finds them in the ledger. A source that is not
 * splittable gets the whole window as one chunk.
 */
export function planChunks(options: PlanOptions): Chunk[] {
  const range = windowRange(
    options.window,
    options.now,
    options.defaultIntervalMs,
  );
  if (!options.capabilities.ranges.includes(range.kind)) {
    throw new EngineError(
      'ENGINE_RANGE_KIND',
      `the source reads ${options.capabilities.ranges.join(' or ')} ranges, ` +
        `not a ${range.kind} window: give the window as ` +
        options.capabilities.ranges.join(' or '),
      { window: range },
    );
  }
  if (range.kind === 'time') checkTimeRange(range.from, range.to);
  else if (range.end < range.start) {
    throw new EngineError(
      'ENGINE_EMPTY_WINDOW',
      `the slot window ${range.start}-${range.end} ends before it starts`,
    );
  }
  if (!options.capabilities.splittable) return [chunkOf(range)];
  checkChunkCount(range, options);

  return range.kind === 'time'
    ? splitTime(range.from, range.to, options.chunkMs ?? PLAN_DEFAULTS.chunkMs)
    : splitSlots(
        range.start,
        range.end,
        options.chunkSlots ?? PLAN_DEFAULTS.chunkSlots,
      );
}

/** The deterministic id of a range: same range, same id. */
export function chunkId(range: ChunkRange): string {
  return range.kind === 'time'
    ? `${range.from}/${range.to}`
    : `slots:${range.start}-${range.end}`;
}

// ---------------------------------------------------------------------------

function chunkOf(range: ChunkRange): Chunk {
  return { id: chunkId(range), range };
}

function checkTimeRange(from: string, to: string): void {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    throw new EngineError(
      'ENGINE_EMPTY_WINDOW',
      `the window ${from} to ${to} is empty or not ISO-8601 times: ` +
        'give --from before --to',
    );
  }
}

/**
 * Chunks a plan may hold: 20 years of hours, 20 billion slots. A window
 * beyond it (`--hours 1e7`, a slot typed with extra zeros) is a mistake,
 * and planning it would fill memory before a single request.
 */
export const MAX_CHUNKS = 200_000;

function checkChunkCount(range: ChunkRange, options: PlanOptions): void {
  const count =
    range.kind === 'time'
      ? (Date.parse(range.to) - Date.parse(range.from)) /
        (options.chunkMs ?? PLAN_DEFAULTS.chunkMs)
      : (range.end - range.start + 1) /
        (options.chunkSlots ?? PLAN_DEFAULTS.chunkSlots);
  if (count <= MAX_CHUNKS) return;
  const span =
    range.kind === 'time'
      ? `${range.from} to ${range.to}`
      : `slots ${range.start} to ${range.end}`;
  throw new EngineError(
    'ENGINE_WINDOW_TOO_LARGE',
    `the window ${span} would be ${Math.ceil(count).toLocaleString('en-US')} ` +
      `chunks, more than ${MAX_CHUNKS.toLocaleString('en-US')}: check ` +
      '--from/--to/--hours or the window of the pipeline',
    { window: range },
  );
}

function splitTime(from: string, to: string, size: number): Chunk[] {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const chunks: Chunk[] = [];
  for (let at = start; at < end; ) {
    const next = Math.min(end, (Math.floor(at / size) + 1) * size);
    chunks.push(
      chunkOf({
        kind: 'time',
        from: new Date(at).toISOString(),
        to: new Date(next).toISOString(),
      }),
    );
    at = next;
  }
  return chunks;
}

function splitSlots(start: number, end: number, size: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let at = start; at <= end; ) {
    const last = Math.min(end, (Math.floor(at / size) + 1) * size - 1);
    chunks.push(chunkOf({ kind: 'slot', start: at, end: last }));
    at = last + 1;
  }
  return chunks;
}
