import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfill } from '../../../test/support/cli.ts';
import {
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.ts';

const COUNTING = fileURLToPath(
  new URL('../../../test/fixtures/plugins/counting-source', import.meta.url),
);

const reason = postgresUnavailable();
if (reason) console.warn(`skipping the postgres CLI test: ${reason}`);

let server: TestPostgres;
let project: string;

function backfill(args: string[], env: Record<string, string>) {
  return runBackfill(args, { cwd: project, env });
}

describe.skipIf(reason)('backfill run with store: postgres', () => {
  beforeAll(async () => {
    server = await startPostgres();
    project = mkdtempSync(join(tmpdir(), 'backfill-pg-cli-'));
    mkdirSync(join(project, 'pipelines'));
    writeFileSync(
      join(project, 'backfill.config.yaml'),
      `plugins:\n  - ${COUNTING}\n`,
    );
    writeFileSync(
      join(project, 'pipelines', 'counting.yaml'),
      [
        'version: 1',
        'name: counting',
        'window: { start_block: 0, end_block: 1999 }',
        'source:',
        '  use: counting',
        '  batch_size: 500',
        'store:',
        '  use: postgres',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: YAML's ${VAR}
        '  with: { url: "${DATABASE_URL}", schema: team }',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => {
    server?.stop();
    rmSync(project, { recursive: true, force: true });
  });

  it('fills the Postgres schema from a pipeline file', async () => {
    // A password the trust-auth server ignores, to show it is never printed.
    const url = server.url.replace('postgres@', 'postgres:hunter2@');
    const env = { DATABASE_URL: url, BACKFILL_LOG_LEVEL: 'info' };
    const run = await backfill(['run', '--json'], env);

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'succeeded',
      runs: [{ pipeline: 'counting', recordsStored: 2000 }],
    });
    expect(run.stdout + run.stderr).not.toContain('hunter2');

    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const rows = await client.query(
        'SELECT count(*)::int AS n FROM team.counting',
      );
      expect(rows.rows).toEqual([{ n: 2000 }]);
      const chunks = await client.query('SELECT state FROM team.chunks');
      expect(chunks.rows).toEqual([{ state: 'done' }]);
    } finally {
      await client.end();
    }
  });
});
