import { afterEach, describe, expect, it } from 'vitest';

import { drive } from './context.ts';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

/** The SDK's environment without a region, and nothing to read one from. */
function withoutRegion(): void {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) {
    delete process.env[name];
  }
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_ENDPOINT_URL_GLACIER = 'http://127.0.0.1:9';
}

describe('the SDK missing a setting', () => {
  it('no region: fatal at once, saying where to set it', async () => {
    withoutRegion();
    const failure = await drive({
      params: { vault_name: 'offers', retrieval: false },
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'GLACIER_CONFIG',
      errorClass: 'fatal',
    });
    expect((failure as Error).message).toMatch(
      /Region is missing; set region in the source's with: or AWS_REGION$/,
    );
  });
});

describe('the SDK without credentials', () => {
  it('fatal at once, naming the ways to give them', async () => {
    withoutRegion();
    process.env.AWS_REGION = 'us-east-1';
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const failure = await drive({
      params: { vault_name: 'offers', retrieval: false },
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'GLACIER_CONFIG',
      errorClass: 'fatal',
    });
    expect((failure as Error).message).toMatch(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a role$/,
    );
  });
});
