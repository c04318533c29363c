import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

import { checkParams } from '../src/check.ts';
import plugin, { type OffchainParams } from '../src/index.ts';

const source = plugin.sources[0]!;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(
  source.schema,
);

describe('the plugin', () => {
  it('provides the off-chain source, resumable over one time chunk', () => {
    expect(plugin.name).toBe('@backfill/source-offchain');
    expect(source.name).toBe('off-chain');
    expect(source.capabilities).toEqual({
      resumable: true,
      splittable: false,
      ranges: ['time'],
    });
  });
});

describe('the schema', () => {
  it('accepts the older job list off_chain_params alone', () => {
    const params = {
      api_endpoint: 'https://indexer.example/v1/loans',
      headers: { 'X-Api-Key': 'k' },
      query_params: { program: 'marginfi', limit: 100 },
      auth_token: 't',
    };
    expect(validate(params)).toBe(true);
  });

  it('accepts every option', () => {
    const params: OffchainParams = {
      api_endpoint: 'https://indexer.example/v1/loans',
      method: 'POST',
      body: { kind: 'loans' },
      records_path: 'data.items',
      key_field: 'loan_id',
      page_size: 100,
      pagination: { style: 'cursor', cursor_param: 'after' },
      incremental: { field: 'updated_at', param: 'since' },
      requests_per_second: 2.5,
      max_pages: 1000,
      timeouts: { connect_ms: 1000, headers_ms: 5000, body_ms: 5000 },
      max_response_bytes: 1_000_000,
      retry: { attempts: 5, base_delay_ms: 100, max_delay_ms: 10_000 },
    };
    expect(validate(params)).toBe(true);
  });

  it('refuses unknown fields and a missing endpoint', () => {
    expect(validate({ api_endpoint: 'https://x.test', endpoint: 'y' })).toBe(
      false,
    );
    expect(validate({ headers: {} })).toBe(false);
    expect(
      validate({ api_endpoint: 'https://x.test', pagination: { style: 'x' } }),
    ).toBe(false);
  });
});

describe('checkParams', () => {
  it('finds nothing wrong in good params', () => {
    expect(checkParams({ api_endpoint: 'https://x.test/v1' })).toEqual([]);
  });

  it('leaves an unresolved $-brace variable to run time', () => {
    const unresolved = '$' + '{API_URL}/v1';
    expect(checkParams({ api_endpoint: unresolved })).toEqual([]);
  });

  it('names the endpoint that is no http(s) URL, without its query', () => {
    expect(checkParams({ api_endpoint: 'ftp://x.test/a?token=t' })).toEqual([
      {
        pointer: '/api_endpoint',
        code: 'OFFCHAIN_ENDPOINT_INVALID',
        message:
          'api_endpoint must be an absolute http:// or https:// URL, ' +
          'got "ftp://x.test/a"',
      },
    ]);
  });

  it('refuses a user and password in the endpoint, and prints neither', () => {
    expect(
      checkParams({
        api_endpoint: 'http://admin:hunter2pass@127.0.0.1:18080/x',
      }),
    ).toEqual([
      {
        pointer: '/api_endpoint',
        code: 'OFFCHAIN_ENDPOINT_CREDENTIALS',
        message:
          'api_endpoint "http://[REDACTED]@127.0.0.1:18080/x" holds a user ' +
          'name or password, which the HTTP client does not send; remove ' +
          'it from the URL and send the credential with auth_token or ' +
          'headers (Authorization: Basic ...), from an environment variable',
      },
    ]);
  });

  it('masks the user info of an endpoint that is no http(s) URL', () => {
    const [problem] = checkParams({ api_endpoint: 'ftp://me:pw1234@x.test/a' });
    expect(problem?.code).toBe('OFFCHAIN_ENDPOINT_INVALID');
    expect(problem?.message).toBe(
      'api_endpoint must be an absolute http:// or https:// URL, ' +
        'got "ftp://[REDACTED]@x.test/a"',
    );
  });

  it('finds a body without POST and fields the style does not read', () => {
    expect(
      checkParams({
        api_endpoint: 'https://x.test',
        body: { a: 1 },
        pagination: { style: 'link', cursor_param: 'c' },
      }),
    ).toEqual([
      {
        pointer: '/body',
        code: 'OFFCHAIN_BODY_WITHOUT_POST',
        message: 'body is sent only with method: POST; add method: POST',
      },
      {
        pointer: '/pagination/cursor_param',
        code: 'OFFCHAIN_PAGINATION_FIELD_UNUSED',
        message:
          'pagination style "link" does not read cursor_param; ' +
          'it reads limit_param',
      },
    ]);
  });
});
