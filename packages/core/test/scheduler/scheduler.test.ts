import { describe, expect, it } from 'vitest';

import type {
  ScheduledPipeline,
  SkipReason,
  Tick,
} from '../../src/scheduler/index.ts';
import {
  createFakeClock,
  ScheduleError,
  Scheduler,
} from '../../src/scheduler/index.ts';

const HOUR = 3_600_000;

/** A scheduler on a fake clock whose runs finish when the test says. */
function harness(
  start: string,
  options: { catchUp?: 'none' | 'latest'; defaultIntervalMs?: number } = {},
) {
  const clock = createFakeClock(start);
  const ticks: Array<Tick & { at: string }> = [];
  const skips: Array<[string, SkipReason, number]> = [];
  const next = new Map<string, string | null>();
  const finishers: Array<() => void> = [];
  let holdRuns = false;

  const scheduler = new Scheduler({
    clock,
    ...options,
    run(tick) {
      ticks.push({ ...tick, at: new Date(tick.dueAt).toISOString() });
      if (!holdRuns) return Promise.resolve();
      return new Promise<void>((resolve) => finishers.push(resolve));
    },
    onSkip: (pipeline, reason, count) => skips.push([pipeline, reason, count]),
    onNextRun: (pipeline, at) =>
      next.set(pipeline, at === null ? null : new Date(at).toISOString()),
  });
  return {
    clock,
    scheduler,
    ticks,
    skips,
    next,
    holdRuns(hold: boolean) {
      holdRuns = hold;
    },
    finishRuns() {
      for (const finish of finishers.splice(0)) finish();
    },
  };
}

function pipeline(
  name: string,
  schedule: ScheduledPipeline['schedule'],
  lastRunAt: string | null = null,
): ScheduledPipeline {
  return {
    name,
    schedule,
    place: `pipelines/${name}.yaml`,
    lastRunAt: lastRunAt === null ? null : Date.parse(lastRunAt),
  };
}

describe('Scheduler', () => {
  it('runs a 5-field cron every 15 minutes at the quarter hours', async () => {
    const h = harness('2026-03-01T10:07:00Z');
    h.scheduler.update([pipeline('quarter', { cron: '*/15 * * * *' })]);
    expect(h.next.get('quarter')).toBe('2026-03-01T10:15:00.000Z');

    await h.clock.advanceTo('2026-03-01T11:00:00Z');

    expect(h.ticks.map((t) => t.at)).toEqual([
      '2026-03-01T10:15:00.000Z',
      '2026-03-01T10:30:00.000Z',
      '2026-03-01T10:45:00.000Z',
      '2026-03-01T11:00:00.000Z',
    ]);
    expect(h.next.get('quarter')).toBe('2026-03-01T11:15:00.000Z');
  });

  it('reads a 6-field cron with seconds first', async () => {
    const h = harness('2026-03-01T10:00:00Z');
    h.scheduler.update([pipeline('fast', { cron: '*/20 * * * * *' })]);

    await h.clock.advance(60_000);

    expect(h.ticks.map((t) => t.at)).toEqual([
      '2026-03-01T10:00:20.000Z',
      '2026-03-01T10:00:40.000Z',
      '2026-03-01T10:01:00.000Z',
    ]);
  });

  it('follows the time zone of each pipeline', async () => {
    // 02:00 in Paris is 01:00 UTC in winter and 00:00 UTC in summer; on
    // 29 March 02:00 does not exist (clocks jump to 03:00), so it runs at
    // the first minute after the gap, 03:00 CEST = 01:00 UTC.
    const h = harness('2026-03-27T12:00:00Z');
    h.scheduler.update([
      pipeline('paris', { cron: '0 2 * * *', timezone: 'Europe/Paris' }),
      pipeline('utc', { cron: '0 2 * * *' }),
    ]);

    await h.clock.advanceTo('2026-03-30T12:00:00Z');

    const at = (name: string) =>
      h.ticks.filter((t) => t.pipeline === name).map((t) => t.at);
    expect(at('paris')).toEqual([
      '2026-03-28T01:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
    ]);
    expect(at('utc')).toEqual([
      '2026-03-28T02:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
      '2026-03-30T02:00:00.000Z',
    ]);
  });

  it('runs Sundays at 01:00 once a week', async () => {
    const h = harness('2026-03-02T00:00:00Z'); // a Monday
    h.scheduler.update([pipeline('weekly', { cron: '0 1 * * 0' })]);

    await h.clock.advanceTo('2026-03-16T00:00:00Z');

    expect(h.ticks.map((t) => t.at)).toEqual([
      '2026-03-08T01:00:00.000Z',
      '2026-03-15T01:00:00.000Z',
    ]);
  });

  it('runs a pipeline without schedule at the default interval', async () => {
    const h = harness('2026-03-01T00:00:00Z');
    h.scheduler.update([pipeline('legacy', {})]);

    await h.clock.advance(13 * HOUR);

    expect(h.ticks.map((t) => t.at)).toEqual([
      '2026-03-01T06:00:00.000Z',
      '2026-03-01T12:00:00.000Z',
    ]);
  });

  it("uses the job list's default_interval when given one", async () => {
    const h = harness('2026-03-01T00:00:00Z', { defaultIntervalMs: 4 * HOUR });
    h.scheduler.update([
      pipeline('legacy', {}),
      pipeline('own', { intervalMs: 5 * HOUR }),
    ]);

    await h.clock.advance(10 * HOUR);

    expect(h.ticks.map((t) => `${t.pipeline} ${t.at}`)).toEqual([
      'legacy 2026-03-01T04:00:00.000Z',
      'own 2026-03-01T05:00:00.000Z',
      'legacy 2026-03-01T08:00:00.000Z',
      'own 2026-03-01T10:00:00.000Z',
    ]);
  });

  it('skips and counts a tick while the same pipeline still runs', async () => {
    const h = harness('2026-03-01T10:00:00Z');
    h.holdRuns(true);
    h.scheduler.update([pipeline('slow', { cron: '*/15 * * * *' })]);

    await h.clock.advanceTo('2026-03-01T10:45:00Z');
    expect(h.ticks.map((t) => t.at)).toEqual(['2026-03-01T10:15:00.000Z']);
    expect(h.skips).toEqual([
      ['slow', 'overlap', 1],
      ['slow', 'overlap', 1],
    ]);
    expect(h.scheduler.running()).toEqual(['slow']);

    h.finishRuns();
    await h.clock.advanceTo('2026-03-01T11:00:00Z');
    expect(h.ticks.map((t) => t.at)).toEqual([
      '2026-03-01T10:15:00.000Z',
      '2026-03-01T11:00:00.000Z',
    ]);
  });

  it('lets two different pipelines run at the same time', async () => {
    const h = harness('2026-03-01T10:00:00Z');
    h.holdRuns(true);
    h.scheduler.update([
      pipeline('a', { cron: '0 * * * *' }),
      pipeline('b', { cron: '0 * * * *' }),
    ]);

    await h.clock.advance(HOUR);

    expect(h.scheduler.running().sort()).toEqual(['a', 'b']);
    expect(h.skips).toEqual([]);
  });

  it('with catch-up none, skips the ticks missed while down', async () => {
    const h = harness('2026-03-01T10:07:00Z');
    h.scheduler.update([
      pipeline('q', { cron: '*/15 * * * *' }, '2026-03-01T09:00:00Z'),
    ]);
    await h.clock.advance(0);

    // 09:15, 09:30, 09:45, 10:00 fell while the daemon was down.
    expect(h.skips).toEqual([['q', 'missed', 4]]);
    expect(h.ticks).toEqual([]);
    expect(h.next.get('q')).toBe('2026-03-01T10:15:00.000Z');
  });

  it('with catch-up latest, runs once at start for the latest missed tick', async () => {
    const h = harness('2026-03-01T10:07:00Z', { catchUp: 'latest' });
    h.scheduler.update([
      pipeline('q', { cron: '*/15 * * * *' }, '2026-03-01T09:00:00Z'),
    ]);
    await h.clock.advance(0);

    expect(h.ticks).toEqual([
      {
        pipeline: 'q',
        dueAt: Date.parse('2026-03-01T10:00:00Z'),
        startedAt: Date.parse('2026-03-01T10:07:00Z'),
        catchUp: true,
        at: '2026-03-01T10:00:00.000Z',
      },
    ]);
    expect(h.skips).toEqual([['q', 'missed', 3]]);
    expect(h.next.get('q')).toBe('2026-03-01T10:15:00.000Z');
  });

  it('with catch-up latest, runs nothing when no tick was missed', async () => {
    const h = harness('2026-03-01T10:07:00Z', { catchUp: 'latest' });
    h.scheduler.update([
      pipeline('q', { cron: '*/15 * * * *' }, '2026-03-01T10:00:00Z'),
      pipeline('fresh', { cron: '*/15 * * * *' }),
    ]);
    await h.clock.advance(0);

    expect(h.ticks).toEqual([]);
    expect(h.skips).toEqual([]);
  });

  it('keeps an interval anchored to the last run across a restart', async () => {
    const h = harness('2026-03-01T10:00:00Z');
    h.scheduler.update([pipeline('six', {}, '2026-03-01T08:30:00Z')]);

    expect(h.next.get('six')).toBe('2026-03-01T14:30:00.000Z');
  });

  it('on update, adds, drops and re-arms pipelines', async () => {
    const h = harness('2026-03-01T10:00:00Z');
    h.scheduler.update([
      pipeline('keep', { cron: '0 * * * *' }),
      pipeline('drop', { cron: '0 * * * *' }),
      pipeline('change', { cron: '0 * * * *' }),
    ]);
    h.scheduler.update([
      pipeline('keep', { cron: '0 * * * *' }),
      pipeline('change', { cron: '30 * * * *' }),
      pipeline('add', { cron: '45 * * * *' }),
    ]);

    expect(Object.fromEntries(h.next)).toEqual({
      keep: '2026-03-01T11:00:00.000Z',
      drop: null,
      change: '2026-03-01T10:30:00.000Z',
      add: '2026-03-01T10:45:00.000Z',
    });
    await h.clock.advance(HOUR);
    expect(h.ticks.map((t) => t.pipeline)).toEqual(['change', 'add', 'keep']);
  });

  it('refuses a bad cron with a code and the file, changing nothing', () => {
    const h = harness('2026-03-01T10:00:00Z');
    h.scheduler.update([pipeline('good', { cron: '0 * * * *' })]);

    let thrown: unknown;
    try {
      h.scheduler.update([pipeline('bad', { cron: '0 * * *' })]);
    } catch (error) {
      thrown = error;
    }
    expect(ScheduleError.is(thrown)).toBe(true);
    expect((thrown as ScheduleError).code).toBe('SCHEDULE_INVALID_CRON');
    expect((thrown as ScheduleError).place).toBe('pipelines/bad.yaml');
    expect(h.scheduler.nextRunAt('good')).toBe(
      Date.parse('2026-03-01T11:00:00Z'),
    );
  });

  it('refuses an unknown time zone', () => {
    const h = harness('2026-03-01T10:00:00Z');
    expect(() =>
      h.scheduler.update([
        pipeline('x', { cron: '0 * * * *', timezone: 'Mars/Olympus' }),
      ]),
    ).toThrow(
      'pipelines/x.yaml: time zone "Mars/Olympus" is unknown; use an IANA ' +
        'name such as Europe/Paris or UTC [SCHEDULE_INVALID_TIMEZONE]',
    );
  });

  it('after stop, fires nothing and waits for the runs in flight', async () => {
    const h = harness('2026-03-01T10:00:00Z');
    h.holdRuns(true);
    h.scheduler.update([pipeline('q', { cron: '*/15 * * * *' })]);
    await h.clock.advance(15 * 60_000);

    h.scheduler.stop();
    let idle = false;
    const waiting = h.scheduler.idle().then(() => {
      idle = true;
    });
    await h.clock.advance(HOUR);
    expect(idle).toBe(false);
    expect(h.clock.pending()).toBe(0);

    h.finishRuns();
    await waiting;
    expect(h.ticks).toHaveLength(1);
  });
});
