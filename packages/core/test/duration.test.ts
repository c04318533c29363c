import { describe, expect, it } from 'vitest';

import { parseDuration } from '../src/loader/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['6h', 21_600_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['2d', 172_800_000],
    ['1m30s', 90_000],
    ['1s500ms', 1500],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '6', '0s', '6x', '30m1h', '1.5h', 'h', '6 h', '-1h', '1h1h'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});
