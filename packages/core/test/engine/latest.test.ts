import { describe, expect, it } from 'vitest';

import { latestWindowMs } from '../../src/engine/latest.ts';

const HOUR = 3_600_000;
const SIX_HOURS = 6 * HOUR;
const now = Date.parse('2026-03-04T10:07:00Z'); // a Wednesday

describe('how far back a run without a window reaches', () => {
  it('the interval of an interval schedule', () => {
    expect(latestWindowMs({ intervalMs: 24 * HOUR }, SIX_HOURS, now)).toBe(
      24 * HOUR,
    );
  });

  it('a day for a daily cron, an hour for an hourly one', () => {
    expect(latestWindowMs({ cron: '0 2 * * *' }, SIX_HOURS, now)).toBe(
      24 * HOUR,
    );
    expect(latestWindowMs({ cron: '15 * * * *' }, SIX_HOURS, now)).toBe(HOUR);
  });

  it("a weekday cron's longest gap: Friday to Monday", () => {
    expect(latestWindowMs({ cron: '0 0 * * 1-5' }, SIX_HOURS, now)).toBe(
      72 * HOUR,
    );
  });

  it('a day across a daylight-saving change, in its time zone', () => {
    // Europe/Paris moves to summer time on 2026-03-29: that day is 23 h.
    const schedule = { cron: '0 2 * * *', timezone: 'Europe/Paris' };
    const before = Date.parse('2026-03-25T00:00:00Z');
    expect(latestWindowMs(schedule, SIX_HOURS, before)).toBe(24 * HOUR);
  });

  it('the fallback with no schedule, or a cron that does not parse', () => {
    expect(latestWindowMs({}, SIX_HOURS, now)).toBe(SIX_HOURS);
    expect(latestWindowMs({ cron: 'nope' }, SIX_HOURS, now)).toBe(SIX_HOURS);
  });
});
