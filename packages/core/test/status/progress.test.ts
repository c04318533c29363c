import type { ChunkRow, RunRow } from '@backfill/plugin-kit';
import { describe, expect, it } from 'vitest';

import { runProgress } from '../../src/status/index.ts';

const run: RunRow = {
  id: 'run-2',
  pipeline: 'p',
  status: 'running',
  startedAt: '2026-03-01T10:00:00.000Z',
  endedAt: null,
  window: { kind: 'slot', start: 0, end: 999 },
  holder: 'host:1:run-2',
  error: null,
  recordsFetched: 600,
  recordsStored: 590,
  recordsDeadLettered: 10,
};

function chunk(
  start: number,
  end: number,
  state: ChunkRow['state'],
  runId: string,
  progress: number | null = null,
): ChunkRow {
  return {
    id: `slots:${start}-${end}`,
    range: { kind: 'slot', start, end },
    pipeline: 'p',
    state,
    attempts: 1,
    cursor: null,
    records: 0,
    progress,
    lastError: null,
    runId,
    updatedAt: '2026-03-01T10:00:00.000Z',
  };
}

describe('runProgress', () => {
  const chunks = [
    chunk(0, 249, 'done', 'run-1'), // finished by an earlier run
    chunk(250, 499, 'done', 'run-2'),
    chunk(500, 749, 'running', 'run-2', 0.5),
    chunk(750, 999, 'pending', 'run-2'),
    chunk(1000, 1249, 'pending', 'run-3'), // outside the window
  ];

  it('weighs chunks by range, counts rate and ETA from this run alone', () => {
    const progress = runProgress({
      run,
      chunks,
      gaps: 1,
      deadLetters: 10,
      stale: false,
      now: Date.parse('2026-03-01T10:01:00Z'),
    });

    expect(progress).toEqual({
      id: 'run-2',
      pipeline: 'p',
      status: 'running',
      stale: false,
      startedAt: '2026-03-01T10:00:00.000Z',
      endedAt: null,
      window: { kind: 'slot', start: 0, end: 999 },
      chunks: { total: 4, pending: 1, running: 1, done: 2, failed: 0 },
      // 250 + 250 + 125 of 1000 slots.
      fraction: 0.625,
      recordsFetched: 600,
      recordsStored: 590,
      recordsDeadLettered: 10,
      ratePerSecond: 10,
      // This run did 375 of its 750 slots in 60 s: 60 s more.
      etaSeconds: 60,
      gaps: 1,
      deadLetters: 10,
      error: null,
    });
  });

  it('gives no ETA for a finished run or a stale one', () => {
    const ended = { ...run, status: 'failed' as const };
    ended.endedAt = '2026-03-01T10:02:00.000Z';
    const now = Date.parse('2026-03-01T11:00:00Z');
    const base = { chunks, gaps: 0, deadLetters: 0, now };

    const failed = runProgress({ ...base, run: ended, stale: false });
    const stale = runProgress({ ...base, run, stale: true });

    expect([failed.etaSeconds, failed.ratePerSecond]).toEqual([null, 5]);
    expect([stale.etaSeconds, stale.stale]).toEqual([null, true]);
  });

  it('reads time chunks by their length in time', () => {
    const timeRun: RunRow = {
      ...run,
      window: {
        kind: 'time',
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-03-01T04:00:00.000Z',
      },
    };
    const hour = (h: number, state: ChunkRow['state']): ChunkRow => ({
      ...chunk(0, 0, state, 'run-2'),
      id: `h${h}`,
      range: {
        kind: 'time',
        from: `2026-03-01T0${h}:00:00.000Z`,
        to: `2026-03-01T0${h + 1}:00:00.000Z`,
      },
    });
    const progress = runProgress({
      run: timeRun,
      chunks: [
        hour(0, 'done'),
        hour(1, 'done'),
        hour(2, 'failed'),
        hour(3, 'pending'),
      ],
      gaps: 0,
      deadLetters: 0,
      stale: false,
      now: Date.parse('2026-03-01T10:01:00Z'),
    });
    expect([progress.fraction, progress.chunks]).toEqual([
      0.5,
      { total: 4, pending: 1, running: 0, done: 2, failed: 1 },
    ]);
  });
});
