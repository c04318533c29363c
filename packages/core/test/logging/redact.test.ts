import { describe, expect, it } from 'vitest';

import { redactDeep } from '../../src/logging/redact.ts';

describe('redactDeep', () => {
  it('masks the password of a URL, keeping the user and the host', () => {
    expect(
      redactDeep(
        {
          store: { url: 'postgres://app:hunter2@db.internal:5432/fills' },
          endpoint: 'see http://admin:p@ss:w0rd@127.0.0.1:18080/x now',
        },
        [],
      ),
    ).toEqual({
      store: { url: 'postgres://app:[REDACTED]@db.internal:5432/fills' },
      endpoint: 'see http://admin:[REDACTED]@127.0.0.1:18080/x now',
    });
  });

  it('leaves a URL with a port, or a mail address after a URL, alone', () => {
    const line = '{"api":"http://127.0.0.1:18080/x","mail":"ops@a.test"}';
    expect(redactDeep({ line }, [])).toEqual({ line });
  });
});
