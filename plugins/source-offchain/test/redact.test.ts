import { describe, expect, it } from 'vitest';

import {
  createRedactor,
  isSensitiveHeader,
  isSensitiveParam,
} from '../src/redact.ts';

describe('isSensitiveHeader', () => {
  it.each([
    ['Authorization', true],
    ['proxy-authorization', true],
    ['Cookie', true],
    ['set-cookie', true],
    ['X-API-Key', true],
    ['x-auth-token', true],
    ['X-Signature', true],
    ['accept', false],
    ['x-trace', false],
  ])('%s -> %s', (name, expected) => {
    expect(isSensitiveHeader(name)).toBe(expected);
  });
});

describe('isSensitiveParam', () => {
  it.each([
    ['token', true],
    ['access_token', true],
    ['apiKey', true],
    ['api_key', true],
    ['client-secret', true],
    ['password', true],
    ['signature', true],
    ['key', true],
    ['cursor', false],
    ['monkey', false],
    ['tokenizer', false],
    ['page', false],
  ])('%s -> %s', (name, expected) => {
    expect(isSensitiveParam(name)).toBe(expected);
  });
});

describe('createRedactor', () => {
  const redactor = createRedactor(['s3cr3t-value', 'a b/c+d', 'ab']);

  it('masks a secret value wherever it appears in text', () => {
    expect(redactor.text('got s3cr3t-value twice: s3cr3t-value')).toBe(
      'got [REDACTED] twice: [REDACTED]',
    );
  });

  it('masks the URL-encoded forms of a secret', () => {
    expect(redactor.text('q=a%20b%2Fc%2Bd and q=a+b%2Fc%2Bd')).toBe(
      'q=[REDACTED] and q=[REDACTED]',
    );
  });

  it('leaves values shorter than four characters alone', () => {
    expect(redactor.text('ab cd')).toBe('ab cd');
  });

  it('masks sensitive parameters and user info in a URL', () => {
    expect(
      redactor.url('https://me:pw@api.test/v1?api_key=k1&page=2&sig=x'),
    ).toBe(
      'https://[REDACTED]@api.test/v1?api_key=[REDACTED]&page=2&sig=[REDACTED]',
    );
  });

  it('masks the user info of a URL without a password, or in a text', () => {
    expect(redactor.url('https://tok123@api.test/v1')).toBe(
      'https://[REDACTED]@api.test/v1',
    );
    expect(
      redactor.text('GET http://admin:hunter2pass@127.0.0.1:18080/x failed'),
    ).toBe('GET http://[REDACTED]@127.0.0.1:18080/x failed');
  });

  it('masks no user info across a quote: a URL then an address', () => {
    const json = '{"url":"http://api.test","mail":"ops@api.test"}';
    expect(redactor.text(json)).toBe(json);
  });

  it('masks a known secret under an innocent parameter name', () => {
    expect(redactor.url('https://api.test/?partner=s3cr3t-value')).toBe(
      'https://api.test/?partner=[REDACTED]',
    );
  });

  it('masks headers by name and by value', () => {
    expect(
      redactor.headers({
        Authorization: 'Bearer x',
        'x-partner': 'id s3cr3t-value',
        accept: 'application/json',
      }),
    ).toEqual({
      Authorization: '[REDACTED]',
      'x-partner': 'id [REDACTED]',
      accept: 'application/json',
    });
  });

  it('masks values added later', () => {
    const late = createRedactor();
    late.add(['learnt-later']);
    expect(late.text('a learnt-later b')).toBe('a [REDACTED] b');
  });
});
