import { describe, expect, it } from 'vitest';

import { planChunks } from '../../src/engine/planner.ts';

const splittable = {
  resumable: true,
  splittable: true,
  ranges: ['time', 'slot'] as Array<'time' | 'slot'>,
};

describe('the planner', () => {
  it('cuts a time window on whole hours, edges clipped', () => {
    const chunks = planChunks({
      window: {
        kind: 'time',
        from: '2026-03-01T00:30:00Z',
        to: '2026-03-01T02:15:00Z',
      },
      now: 0,
      defaultIntervalMs: 0,
      capabilities: splittable,
    });
    expect(chunks.map((c) => c.id)).toEqual([
      '2026-03-01T00:30:00.000Z/2026-03-01T01:00:00.000Z',
      '2026-03-01T01:00:00.000Z/2026-03-01T02:00:00.000Z',
      '2026-03-01T02:00:00.000Z/2026-03-01T02:15:00.000Z',
    ]);
  });

  it('refuses a window of more than 200,000 chunks before making them', () => {
    const plan = (end: number) => () =>
      planChunks({
        window: { kind: 'slot', start: 0, end },
        now: 0,
        defaultIntervalMs: 0,
        capabilities: splittable,
      });
    expect(plan(20_000_000_000 - 1)).not.toThrow();
    expect(plan(3_000_000_000_000)).toThrow(
      expect.objectContaining({
        code: 'ENGINE_WINDOW_TOO_LARGE',
        message:
          'the window slots 0 to 3000000000000 would be 30,000,001 chunks, ' +
          'more than 200,000: check --from/--to/--hours or the window of ' +
          'the pipeline',
      }),
    );
  });

  it('covers the latest default interval when the window is null', () => {
    const chunks = planChunks({
      window: null,
      now: Date.parse('2026-03-01T06:00:00Z'),
      defaultIntervalMs: 6 * 3_600_000,
      capabilities: { ...splittable, splittable: false },
    });
    expect(chunks).toEqual([
      {
        id: '2026-03-01T00:00:00.000Z/2026-03-01T06:00:00.000Z',
        range: {
          kind: 'time',
          from: '2026-03-01T00:00:00.000Z',
          to: '2026-03-01T06:00:00.000Z',
        },
      },
    ]);
  });

  it('cuts slot windows on multiples of the chunk size, inclusive', () => {
    const chunks = planChunks({
      window: { kind: 'slot', start: 150, end: 420 },
      now: 0,
      defaultIntervalMs: 0,
      capabilities: splittable,
      chunkSlots: 100,
    });
    expect(chunks.map((c) => c.id)).toEqual([
      'slots:150-199',
      'slots:200-299',
      'slots:300-399',
      'slots:400-420',
    ]);
  });

  it('refuses a window kind the source cannot read', () => {
    expect(() =>
      planChunks({
        window: { kind: 'slot', start: 0, end: 9 },
        now: 0,
        defaultIntervalMs: 0,
        capabilities: { ...splittable, ranges: ['time'] },
      }),
    ).toThrow(expect.objectContaining({ code: 'ENGINE_RANGE_KIND' }));
  });
});
