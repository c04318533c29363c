import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { executeRuns } from '../../../packages/cli/src/run/execute.ts';
import { registryOf } from '../../../packages/core/src/engine/index.ts';
import { countingPipeline } from '../../../test/engine/helpers.ts';
import counting from '../../../test/fixtures/plugins/counting-source/index.ts';
import {
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.ts';
import postgres from '../src/index.ts';

const reason = postgresUnavailable();
if (reason) console.warn(`skipping the postgres run test: ${reason}`);

let server: TestPostgres;
let cwd: string;

async function sql<T>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe.skipIf(reason)('backfill run into the postgres store', () => {
  beforeAll(async () => {
    server = await startPostgres();
    cwd = mkdtempSync(join(tmpdir(), 'backfill-pg-run-'));
    vi.stubEnv('BACKFILL_LOG_LEVEL', 'silent');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    server?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('stores every record, marks every chunk done, then skips them', async () => {
    const spec = countingPipeline({
      window: { kind: 'slot', start: 0, end: 2999 },
      store: { use: 'postgres', with: { url: server.url } },
      source: { use: 'counting', batchSize: 250, with: {} },
      concurrency: 2,
    });
    const input = {
      specs: [spec],
      registry: registryOf([counting, postgres]),
      flags: {},
      cwd,
    };
    const stdout = vi.spyOn(process.stdout, 'write').mockReturnValue(true);
    try {
      expect(await executeRuns(input)).toBe(0);
      expect(await executeRuns(input)).toBe(0);
    } finally {
      stdout.mockRestore();
    }

    expect(
      await sql(
        `SELECT count(*)::int AS n, count(DISTINCT key)::int AS keys,
           min((data->>'slot')::int) AS first, max((data->>'slot')::int) AS last
         FROM backfill.counting`,
      ),
    ).toEqual([{ n: 3000, keys: 3000, first: 0, last: 2999 }]);
    expect(
      await sql(
        `SELECT id, state, "cursor", records::int, progress
         FROM backfill.chunks ORDER BY range_start`,
      ),
    ).toEqual([
      {
        id: 'slots:0-2999',
        state: 'done',
        cursor: { next: 3000 },
        records: 3000,
        progress: 1,
      },
    ]);
    expect(
      await sql(
        `SELECT status, records_stored::int AS stored FROM backfill.runs
         ORDER BY seq`,
      ),
    ).toEqual([
      { status: 'succeeded', stored: 3000 },
      { status: 'succeeded', stored: 0 },
    ]);
    expect(await sql('SELECT * FROM backfill.leases')).toEqual([]);
  });
});
