import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpApiServer,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { runBackfill } from '../support/cli.ts';

const TOKEN = 'tok-cli-4f0c2b9e71';
const API_KEY = 'key-cli-8d6a03c5';
const QUERY_SECRET = 'qs-cli-2e7b5f19';
const SECRETS = [TOKEN, API_KEY, QUERY_SECRET];

let api: HttpApiServer;
let project: string;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 25, pageSize: 10 });
  project = mkdtempSync(join(tmpdir(), 'backfill-offchain-cli-'));
  mkdirSync(join(project, 'pipelines'));
});
afterAll(async () => {
  await api.close();
  rmSync(project, { recursive: true, force: true });
});

/** A `${NAME}` reference, as a pipeline file spells it. */
function env(name: string): string {
  return ['$', '{', name, '}'].join('');
}

/** A pipeline reading `path` of the loopback API with three secrets. */
function writePipeline(name: string, path: string): string {
  const file = join(project, 'pipelines', `${name}.yaml`);
  writeFileSync(
    file,
    [
      'version: 1',
      `name: ${name}`,
      'window:',
      '  last: 24h',
      'source:',
      '  use: off-chain',
      '  with:',
      `    api_endpoint: ${api.url}${path}`,
      `    auth_token: ${env('PARTNER_TOKEN')}`,
      '    headers:',
      `      X-Api-Key: ${env('PARTNER_KEY')}`,
      '    query_params:',
      `      access_token: ${env('PARTNER_QUERY_TOKEN')}`,
      '    retry: { attempts: 2, base_delay_ms: 1 }',
      'store:',
      '  use: sqlite',
      `  with: { path: .backfill/${name}.db }`,
      'max_retries: 1',
      '',
    ].join('\n'),
  );
  return file;
}

/** Runs `backfill` in the project with the secrets in its environment. */
function backfill(args: string[]) {
  return runBackfill(args, {
    cwd: project,
    env: {
      PARTNER_TOKEN: TOKEN,
      PARTNER_KEY: API_KEY,
      PARTNER_QUERY_TOKEN: QUERY_SECRET,
      BACKFILL_LOG_LEVEL: 'debug',
    },
  });
}

function expectNoSecret(output: { stdout: string; stderr: string }): void {
  for (const secret of SECRETS) {
    expect(output.stdout).not.toContain(secret);
    expect(output.stderr).not.toContain(secret);
  }
}

describe('backfill run with an off-chain source prints no secret', () => {
  it('a run with debug logs, stdout and stderr', async () => {
    const file = writePipeline('partner-loans', '/cursor');
    const mark = api.requests.length;
    const output = await backfill(['run', file]);
    expect(output.code).toBe(0);
    expect(output.stderr).toContain('"records":25');
    // The secrets did reach the API: the assertions below can fail.
    const sent = api.requests.slice(mark);
    expect(sent).toHaveLength(3);
    expect(sent[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent[0]!.headers['x-api-key']).toBe(API_KEY);
    expect(sent[0]!.query.access_token).toBe(QUERY_SECRET);
    expectNoSecret(output);
  });

  it('--json', async () => {
    const file = writePipeline('partner-json', '/cursor');
    const output = await backfill(['run', file, '--json']);
    expect(output.code).toBe(0);
    expect(JSON.parse(output.stdout).runs[0].recordsStored).toBe(25);
    expectNoSecret(output);
  });

  it('--dry-run', async () => {
    const file = writePipeline('partner-dry', '/cursor');
    const mark = api.requests.length;
    const output = await backfill(['run', file, '--dry-run']);
    expect(output.code).toBe(0);
    expect(output.stdout).toContain('off-chain');
    expect(api.requests.length).toBe(mark);
    expectNoSecret(output);
  });

  it('a failing run whose API echoes the credentials back', async () => {
    const echo = { status: 500, body: { error: `bad key ${API_KEY}` } };
    api.queue('/echo-400', echo, echo);
    const file = writePipeline('partner-fails', '/echo-400');
    const output = await backfill(['run', file, '--json']);
    expect(output.code).toBe(1);
    const run = JSON.parse(output.stdout).runs[0];
    expect(run.error.code).toBe('OFFCHAIN_HTTP_STATUS');
    expect(output.stderr).toContain('"msg":"retrying request"');
    expectNoSecret(output);
  });
});
