import type {
  Chunk,
  ChunkRange,
  ChunkRow,
  ChunkState,
} from '@backfill/plugin-kit';

/** What `--reprocess` does with chunks an earlier run already touched. */
export type Reprocess = 'none' | 'failed' | 'all';

/** The chunks a run works on: its plan plus what earlier runs left. */
export interface AdoptedPlan {
  /** Chunks to insert into the ledger (new ones start `pending`). */
  plan: Chunk[];
  /**
   * Unfinished chunks of earlier runs outside the plan, oldest first; a
   * widened one carries the range to read (the ledger keeps its first).
   */
  leftovers: ChunkRow[];
}

/**
 * Folds the unfinished chunks of earlier runs into this run, so that a
 * rolling window (`last:`, or none) never orphans a cursor. A planned
 * chunk the ledger does not hold yet is replaced by a leftover, continued
 * from its cursor with its range widened to cover both: for a source that
 * is not splittable, the leftover with the latest range; for a splittable
 * one, a leftover overlapping it (an unaligned edge of an earlier window).
 * Other leftovers run as they are, before the new chunks. Failed ones
 * join only under `--reprocess failed|all`.
 */
export function adoptLeftovers(
  planned: Chunk[],
  ledger: ChunkRow[],
  splittable: boolean,
  reprocess: Reprocess,
): AdoptedPlan {
  const ids = new Set(planned.map((chunk) => chunk.id));
  const known = new Set(ledger.map((row) => row.id));
  const open = ledger
    .filter((row) => !ids.has(row.id) && unfinished(row.state, reprocess))
    .sort((a, b) => end(b.range) - end(a.range));

  const plan: Chunk[] = [];
  const continued: ChunkRow[] = [];
  for (const chunk of planned) {
    const host = known.has(chunk.id)
      ? undefined
      : open.find(
          (row) =>
            row.range.kind === chunk.range.kind &&
            (!splittable || overlaps(row.range, chunk.range)),
        );
    if (host === undefined) {
      plan.push(chunk);
      continue;
    }
    open.splice(open.indexOf(host), 1);
    continued.push({ ...host, range: cover(host.range, chunk.range) });
  }
  const leftovers = [...open, ...continued].sort(
    (a, b) => start(a.range) - start(b.range),
  );
  return { plan, leftovers };
}

// ---------------------------------------------------------------------------

function unfinished(state: ChunkState, reprocess: Reprocess): boolean {
  if (state === 'pending' || state === 'running') return true;
  return state === 'failed' && reprocess !== 'none';
}

function start(range: ChunkRange): number {
  return range.kind === 'time' ? Date.parse(range.from) : range.start;
}

function end(range: ChunkRange): number {
  return range.kind === 'time' ? Date.parse(range.to) : range.end + 1;
}

/** Both of one kind and sharing a part (time half-open, slots closed). */
function overlaps(a: ChunkRange, b: ChunkRange): boolean {
  return a.kind === b.kind && start(a) < end(b) && start(b) < end(a);
}

/** The smallest range holding both (of one kind). */
function cover(a: ChunkRange, b: ChunkRange): ChunkRange {
  if (a.kind === 'time' && b.kind === 'time') {
    return {
      kind: 'time',
      from: Date.parse(a.from) <= Date.parse(b.from) ? a.from : b.from,
      to: Date.parse(a.to) >= Date.parse(b.to) ? a.to : b.to,
    };
  }
  if (a.kind === 'slot' && b.kind === 'slot') {
    return {
      kind: 'slot',
      start: Math.min(a.start, b.start),
      end: Math.max(a.end, b.end),
    };
  }
  return b;
}
