import type { ChunkRange, ChunkRow, ChunkState } from '@backfill/plugin-kit';
import { describe, expect, it } from 'vitest';

import { adoptLeftovers } from '../../packages/core/src/engine/leftovers.ts';
import { chunkId } from '../../packages/core/src/engine/planner.ts';

const time = (from: string, to: string): ChunkRange => ({
  kind: 'time',
  from: `2026-03-01T${from}:00.000Z`,
  to: `2026-03-01T${to}:00.000Z`,
});
const chunk = (range: ChunkRange) => ({ id: chunkId(range), range });
const row = (
  range: ChunkRange,
  state: ChunkState,
  cursor = null,
): ChunkRow => ({
  ...chunk(range),
  pipeline: 'p',
  state,
  attempts: 1,
  cursor,
  records: 0,
  progress: null,
  lastError: null,
  runId: 'r',
  updatedAt: '2026-03-01T00:00:00.000Z',
});

describe('adoptLeftovers, a source that is not splittable', () => {
  const window = chunk(time('06:00', '12:00'));

  it('continues the latest leftover widened to the window; others as they are', () => {
    const older = row(time('00:00', '06:00'), 'pending');
    const latest = row(time('04:00', '10:00'), 'running');
    const done = row(time('01:00', '07:00'), 'done');
    expect(
      adoptLeftovers([window], [older, done, latest], false, 'none'),
    ).toEqual({
      plan: [],
      leftovers: [older, { ...latest, range: time('04:00', '12:00') }],
    });
  });

  it('plans the window as before when the ledger holds its id already', () => {
    const old = row(time('00:00', '06:00'), 'pending');
    const same = row(window.range, 'done');
    expect(adoptLeftovers([window], [old, same], false, 'none')).toEqual({
      plan: [window],
      leftovers: [old],
    });
  });

  it('takes a failed leftover only under --reprocess failed or all', () => {
    const failed = row(time('00:00', '06:00'), 'failed');
    expect(adoptLeftovers([window], [failed], false, 'none')).toEqual({
      plan: [window],
      leftovers: [],
    });
    expect(adoptLeftovers([window], [failed], false, 'failed')).toEqual({
      plan: [],
      leftovers: [{ ...failed, range: time('00:00', '12:00') }],
    });
  });
});

describe('adoptLeftovers, a splittable source', () => {
  it('merges an unaligned edge into the chunk it overlaps, keeps the rest', () => {
    const planned = [
      chunk(time('10:45', '11:00')),
      chunk(time('11:00', '12:00')),
      chunk(time('12:00', '12:45')),
    ];
    const before = row(time('08:00', '09:00'), 'pending');
    const edge = row(time('10:30', '11:00'), 'pending');
    expect(adoptLeftovers(planned, [before, edge], true, 'none')).toEqual({
      plan: planned.slice(1),
      leftovers: [before, { ...edge, range: time('10:30', '11:00') }],
    });
  });
});
