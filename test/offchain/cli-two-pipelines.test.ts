import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpApiServer,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { runBackfill } from '../support/cli.ts';

// Two APIs whose record ids overlap (r0001..r0023), read by two pipelines
// into the one `off_chain` table of the default store.
let loansApi: HttpApiServer;
let offersApi: HttpApiServer;
let project: string;
beforeAll(async () => {
  loansApi = await startHttpApiServer({ records: 25, pageSize: 10 });
  offersApi = await startHttpApiServer({ records: 23, pageSize: 10 });
  project = mkdtempSync(join(tmpdir(), 'backfill-offchain-two-'));
  mkdirSync(join(project, 'pipelines'));
});
afterAll(async () => {
  await Promise.all([loansApi.close(), offersApi.close()]);
  rmSync(project, { recursive: true, force: true });
});

function writePipeline(name: string, api: HttpApiServer): void {
  writeFileSync(
    join(project, 'pipelines', `${name}.yaml`),
    [
      'version: 1',
      `name: ${name}`,
      'window:',
      '  from: 2026-01-01T00:00:00Z',
      '  to: 2026-01-02T00:00:00Z',
      'source:',
      '  use: off-chain',
      `  with: { api_endpoint: "${api.url}/next-url" }`,
      '',
    ].join('\n'),
  );
}

function query<T>(sql: string): T[] {
  const db = new Database(join(project, '.backfill/backfill.db'), {
    readonly: true,
  });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('two off-chain pipelines whose APIs share record ids', () => {
  it('keep a row each in the off_chain table after backfill run', async () => {
    writePipeline('loans', loansApi);
    writePipeline('offers', offersApi);

    const run = await runBackfill(['run'], { cwd: project });
    expect(run.code, run.stderr).toBe(0);

    expect(
      query(
        `SELECT pipeline, count(*) AS n FROM off_chain
         GROUP BY pipeline ORDER BY pipeline`,
      ),
    ).toEqual([
      { pipeline: 'loans', n: 25 },
      { pipeline: 'offers', n: 23 },
    ]);
    expect(query('SELECT count(DISTINCT key) AS n FROM off_chain')).toEqual([
      { n: 25 },
    ]);
    expect(
      query(
        `SELECT pipeline, json_extract(data, '$.amount') AS amount
         FROM off_chain WHERE key = 'r0023' ORDER BY pipeline`,
      ),
    ).toEqual([
      { pipeline: 'loans', amount: 230 },
      { pipeline: 'offers', amount: 230 },
    ]);
  });
});
