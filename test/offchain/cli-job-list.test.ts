import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpApiServer,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { runBackfill } from '../support/cli.ts';

let api: HttpApiServer;
let project: string;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 25, pageSize: 10 });
  project = mkdtempSync(join(tmpdir(), 'backfill-offchain-jobs-'));
});
afterAll(async () => {
  await api.close();
  rmSync(project, { recursive: true, force: true });
});

describe('an off-chain job of the older job list', () => {
  it('runs as it is: pagination, records and key detected', async () => {
    const jobs = {
      jobs: [
        {
          name: 'partner-loans',
          request: {
            source: 'off-chain',
            off_chain_params: {
              api_endpoint: `${api.url}/link`,
              headers: { 'X-Partner': 'acme' },
              query_params: { program: 'marginfi' },
              auth_token: 'tok-jobs-31c9aa07',
            },
          },
        },
      ],
    };
    writeFileSync(join(project, 'jobs.json'), JSON.stringify(jobs, null, 2));
    const { code, stdout } = await runBackfill(
      ['run', '--config', 'jobs.json', '--json'],
      { cwd: project },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).runs[0].recordsStored).toBe(25);
    expect(api.requests.map((r) => r.query)).toEqual([
      { program: 'marginfi' },
      { page: '2' },
      { page: '3' },
    ]);
    expect(api.requests[0]!.headers.authorization).toBe(
      'Bearer tok-jobs-31c9aa07',
    );
    expect(stdout).not.toContain('tok-jobs-31c9aa07');
  });
});
