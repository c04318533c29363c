import { describe, expect, it } from 'vitest';

import { nextLink } from '../src/link-header.ts';
import { parseRetryAfter } from '../src/retry-after.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
  });

  it('takes a date in the past as no wait', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('nextLink', () => {
  it('finds rel=next among several links', () => {
    expect(
      nextLink(
        '<https://api.test/x?page=1>; rel="first", ' +
          '<https://api.test/x?page=3>; rel="next", ' +
          '<https://api.test/x?page=9>; rel="last"',
      ),
    ).toBe('https://api.test/x?page=3');
  });

  it('reads an unquoted rel and a rel with several values', () => {
    expect(nextLink('</p/2>; rel=next')).toBe('/p/2');
    expect(nextLink('</p/2>; title="x"; rel="prefetch next"')).toBe('/p/2');
  });

  it('reads several Link headers', () => {
    expect(nextLink(['</a>; rel="prev"', '</b>; rel="next"'])).toBe('/b');
  });

  it('is null without a next link', () => {
    expect(nextLink('</a>; rel="prev"')).toBeNull();
    expect(nextLink(undefined)).toBeNull();
  });
});
