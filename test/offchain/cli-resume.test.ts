import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpApiServer,
  idsBetween,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { runBackfill } from '../support/cli.ts';

let api: HttpApiServer;
let project: string;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 25, pageSize: 10 });
  project = mkdtempSync(join(tmpdir(), 'backfill-offchain-resume-'));
  mkdirSync(join(project, 'pipelines'));
});
afterAll(async () => {
  await api.close();
  rmSync(project, { recursive: true, force: true });
});

async function backfill(args: string[]): Promise<number> {
  return (await runBackfill(args, { cwd: project })).code;
}

describe('backfill run resumes an off-chain walk at the next page', () => {
  it('a run stopped by --limit, then a second run: each page fetched once', async () => {
    const file = join(project, 'pipelines', 'partner.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'name: partner',
        'window:',
        '  from: 2026-01-01T00:00:00Z',
        '  to: 2026-01-02T00:00:00Z',
        'source:',
        '  use: off-chain',
        `  with: { api_endpoint: "${api.url}/next-url" }`,
        'store:',
        '  use: sqlite',
        '  with: { path: .backfill/partner.db }',
        '',
      ].join('\n'),
    );

    expect(await backfill(['run', file, '--limit', '10'])).toBe(0);
    expect(api.requests).toHaveLength(1);
    expect(await backfill(['run', file])).toBe(0);

    const asked = api.requests.map((r) => r.query.from ?? 'first');
    expect(asked).toEqual(['first', '10', '20']);
    const db = new Database(join(project, '.backfill/partner.db'));
    try {
      const rows = db
        .prepare('SELECT key FROM off_chain ORDER BY key')
        .all() as Array<{ key: string }>;
      expect(rows.map((row) => row.key)).toEqual(idsBetween(1, 25));
    } finally {
      db.close();
    }
  });
});
