import { describe, expect, it } from 'vitest';

import { checkParams } from '../src/check.ts';

const HINT =
  'percent-encode special characters in the user and password ' +
  '(# as %23, / as %2F, ? as %3F, @ as %40, : as %3A, % as %25)';

describe('checkParams of the postgres store', () => {
  it('accepts postgres:// and postgresql:// URLs, encoded or not', () => {
    for (const url of [
      'postgres://app:hunter2@db.internal:5432/fills',
      'postgresql://db.internal/fills?sslmode=require',
      'postgres://app:hunter%232@db.internal/fills',
      'postgres:///fills?host=/var/run/postgresql',
    ]) {
      expect(checkParams({ url })).toEqual([]);
    }
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: our syntax
  it('leaves an unresolved ${VAR} to run time', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: our syntax
    expect(checkParams({ url: '${DATABASE_URL}' })).toEqual([]);
  });

  it('refuses text that is not a URL without quoting it', () => {
    expect(checkParams({ url: 'not a url' })).toEqual([
      {
        pointer: '/url',
        code: 'POSTGRES_URL_INVALID',
        message:
          'url is not a connection URL ' +
          'postgres://user:password@host:port/db (value not shown: it ' +
          `may hold a password); ${HINT}`,
      },
    ]);
  });

  it('refuses another scheme, naming only the scheme', () => {
    expect(checkParams({ url: 'mysql://app:hunter2@db/fills' })).toEqual([
      {
        pointer: '/url',
        code: 'POSTGRES_URL_INVALID',
        message:
          'url has the scheme mysql://; the postgres store reads ' +
          'postgres:// or postgresql:// URLs only',
      },
    ]);
  });

  it('says to encode a password whose # / or ? ends the host early', () => {
    for (const url of [
      'postgres://app:Zq#9x@db/fills',
      'postgres://app:Zq/9x@db/fills',
      'postgres://app:Zq?9x@db/fills',
      'postgres://app:2024#9x@db/fills',
      'postgres://app:2024/9x@db/fills',
      'postgres://app:2024?9x@db/fills',
    ]) {
      const [problem, ...rest] = checkParams({ url });
      expect(rest).toEqual([]);
      expect(problem?.code).toBe('POSTGRES_URL_INVALID');
      expect(problem?.message.endsWith(HINT)).toBe(true);
      expect(problem?.message).not.toMatch(/Zq|9x|2024|app/);
    }
  });
});
