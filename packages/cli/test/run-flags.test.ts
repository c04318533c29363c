import { describe, expect, it } from 'vitest';

import { windowFromFlags } from '../src/run/flags.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');

describe('the window of backfill run flags', () => {
  it('takes two slots as a slot window', () => {
    expect(windowFromFlags({ from: '5', to: '9' }, NOW)).toEqual({
      kind: 'slot',
      start: 5,
      end: 9,
    });
  });

  it('refuses a slot mixed with a time, saying so', () => {
    expect(() => windowFromFlags({ from: '5', to: '2026-01-01' }, NOW)).toThrow(
      '--from 5 --to 2026-01-01: give two slots or two ISO-8601 times, ' +
        'not one of each',
    );
  });

  it('takes --from alone as a time window ending now', () => {
    expect(windowFromFlags({ from: '2026-12-03T00:00:00Z' }, NOW)).toEqual({
      kind: 'time',
      from: '2026-12-03T00:00:00.000Z',
      to: '2026-12-03T12:00:00.000Z',
    });
  });
});
