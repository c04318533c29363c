import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpApiServer,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { runBackfill } from '../support/cli.ts';

const PARTNER_ID = 'partner-cli-93d1b7e2';
const PASSWORD = 'hunter2pass';

let api: HttpApiServer;
let project: string;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 25, pageSize: 10 });
  project = mkdtempSync(join(tmpdir(), 'backfill-offchain-creds-'));
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

function writePipeline(name: string, source: string[], store?: string) {
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
      ...source.map((line) => `    ${line}`),
      'store:',
      store ?? `  use: sqlite\n  with: { path: .backfill/${name}.db }`,
      '',
    ].join('\n'),
  );
  return file;
}

function backfill(args: string[]) {
  return runBackfill(args, { cwd: project, env: { PARTNER_ID } });
}

describe('backfill run keeps secret header values on the API origin', () => {
  it('a header from the environment does not follow a redirect away', async () => {
    const file = writePipeline('partner-away', [
      `api_endpoint: ${api.url}/redirect-away`,
      'headers:',
      `  X-Partner: ${env('PARTNER_ID')}`,
      '  X-Trace: trace-cli-1',
    ]);
    const mark = api.requests.length;
    const output = await backfill(['run', file, '--json']);
    expect(output.code).toBe(0);
    expect(JSON.parse(output.stdout).runs[0].recordsStored).toBe(25);
    const [away, landed] = api.requests.slice(mark);
    expect(away!.headers['x-partner']).toBe(PARTNER_ID);
    expect(landed!.server).toBe('other');
    expect(landed!.headers['x-partner']).toBeUndefined();
    expect(landed!.headers['x-trace']).toBe('trace-cli-1');
  });
});

describe('a user and password in api_endpoint', () => {
  const endpoint = () =>
    `${api.url.replace('//', `//admin:${PASSWORD}@`)}/single`;
  const shown = () => `${api.url.replace('//', '//[REDACTED]@')}/single`;

  it('validate refuses it, saying what to use, without the password', async () => {
    const file = writePipeline('in-url', [`api_endpoint: ${endpoint()}`]);
    const output = await backfill(['validate', file]);
    expect(output.code).toBe(1);
    expect(output.stdout + output.stderr).toContain(
      `OFFCHAIN_ENDPOINT_CREDENTIALS api_endpoint "${shown()}" holds a ` +
        'user name or password, which the HTTP client does not send; ' +
        'remove it from the URL and send the credential with auth_token ' +
        'or headers (Authorization: Basic ...)',
    );
    expect(output.stdout + output.stderr).not.toContain(PASSWORD);
  });

  it('run --dry-run and --json refuse it, without the password', async () => {
    const file = writePipeline('in-url-run', [`api_endpoint: ${endpoint()}`]);
    const mark = api.requests.length;
    for (const flags of [['--dry-run'], ['--dry-run', '--json'], ['--json']]) {
      const output = await backfill(['run', file, ...flags]);
      expect(output.code).toBe(1);
      expect(output.stdout + output.stderr).toContain(
        'OFFCHAIN_ENDPOINT_CREDENTIALS',
      );
      expect(output.stdout + output.stderr).not.toContain(PASSWORD);
    }
    expect(api.requests.length).toBe(mark);
  });
});

describe('run --dry-run', () => {
  it('masks the password of any URL it prints, as a store url', async () => {
    const file = writePipeline(
      'pg-url',
      [`api_endpoint: ${api.url}/single`],
      '  use: postgres\n' +
        `  with: { url: "postgres://app:${PASSWORD}@db.internal:5432/fills" }`,
    );
    const output = await backfill(['run', file, '--dry-run']);
    expect(output.code).toBe(0);
    expect(output.stdout).toContain(
      'postgres://app:[REDACTED]@db.internal:5432/fills',
    );
    expect(output.stdout + output.stderr).not.toContain(PASSWORD);
  });
});
