import { describe, expect, it } from 'vitest';

import { redactUrl } from '../src/url.ts';

describe('redactUrl', () => {
  it('masks the user and password', () => {
    expect(redactUrl('postgres://app:hunter2@db.internal:5432/fills')).toBe(
      'postgres://***@db.internal:5432/fills',
    );
  });

  it('masks a password given as a query parameter', () => {
    expect(
      redactUrl('postgresql://db:5432/fills?password=hunter2&sslmode=require'),
    ).toBe('postgresql://db:5432/fills?password=***&sslmode=require');
  });

  it('leaves a URL without secrets as it is', () => {
    expect(redactUrl('postgres://127.0.0.1:5433/postgres')).toBe(
      'postgres://127.0.0.1:5433/postgres',
    );
  });

  it('masks text that is not a URL whole', () => {
    expect(redactUrl('host=db password=hunter2')).toBe('***');
  });
});
