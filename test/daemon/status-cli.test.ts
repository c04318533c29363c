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

let api: HttpApiServer;
let project: string;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 25, pageSize: 10 });
  project = mkdtempSync(join(tmpdir(), 'backfill-status-cli-'));
  mkdirSync(join(project, 'pipelines'));
});
afterAll(async () => {
  await api.close();
  rmSync(project, { recursive: true, force: true });
});

function backfill(args: string[]) {
  return runBackfill(args, { cwd: project, env: { CI: '1' } });
}

function writePipeline(path: string): void {
  writeFileSync(
    join(project, 'pipelines', 'partner.yaml'),
    [
      'version: 1',
      'name: partner',
      'max_retries: 0',
      'window:',
      '  from: 2026-01-01T00:00:00Z',
      '  to: 2026-01-02T00:00:00Z',
      'source:',
      '  use: off-chain',
      `  with: { api_endpoint: "${api.url}${path}" }`,
      'store:',
      '  use: sqlite',
      '  with: { path: .backfill/partner.db }',
      '',
    ].join('\n'),
  );
}

interface LedgerRun {
  id: string;
  status: string;
  started_at: string;
  ended_at: string;
  records_fetched: number;
  records_stored: number;
  error: string | null;
}

describe('backfill status --json', () => {
  it('matches the ledger after a failed and a successful run', async () => {
    writePipeline('/no-such-route');
    expect((await backfill(['run'])).code).toBe(1);
    writePipeline('/next-url');
    expect((await backfill(['run'])).code).toBe(0);

    const { code, stdout } = await backfill(['status', '--json']);
    expect(code).toBe(0);
    const status = JSON.parse(stdout);

    const db = new Database(join(project, '.backfill/partner.db'), {
      readonly: true,
    });
    const [succeeded, failed] = db
      .prepare('SELECT * FROM runs ORDER BY started_at DESC')
      .all() as LedgerRun[];
    db.close();
    expect([failed?.status, succeeded?.status]).toEqual([
      'failed',
      'succeeded',
    ]);

    expect(status.pipelines).toEqual([
      {
        name: 'partner',
        lastRun: { id: succeeded?.id, status: 'succeeded' },
        lastSuccessAt: succeeded?.ended_at,
        chunks: { pending: 0, running: 0, done: 1, failed: 0 },
        gaps: 0,
        deadLetters: 0,
      },
    ]);
    expect(status.active).toEqual([]);
    expect(
      status.failed.map((r: Record<string, unknown>) => [
        r.id,
        r.status,
        r.startedAt,
        r.endedAt,
        r.recordsStored,
        r.error,
      ]),
    ).toEqual([
      [
        failed?.id,
        'failed',
        failed?.started_at,
        failed?.ended_at,
        0,
        failed?.error,
      ],
    ]);
    expect(status.completed).toHaveLength(1);
    expect(status.completed[0]).toMatchObject({
      id: succeeded?.id,
      status: 'succeeded',
      startedAt: succeeded?.started_at,
      endedAt: succeeded?.ended_at,
      recordsFetched: 25,
      recordsStored: 25,
      fraction: 1,
      etaSeconds: null,
    });
  });

  it('prints a table without --json and refuses an unknown pipeline', async () => {
    const table = await backfill(['status']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^PIPELINE\s+LAST RUN/);
    expect(table.stdout).toMatch(/^partner\s+succeeded/m);

    const unknown = await backfill(['status', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'backfill: no pipeline is named "nope" (known: partner)\n',
    );
  });
});

describe('backfill status without a pipelines folder', () => {
  let bare: string;
  beforeAll(() => {
    bare = mkdtempSync(join(tmpdir(), 'backfill-status-bare-'));
    writeFileSync(
      join(bare, 'p.yaml'),
      [
        'version: 1',
        'name: loose',
        'window:',
        '  from: 2026-01-01T00:00:00Z',
        '  to: 2026-01-02T00:00:00Z',
        'source:',
        '  use: off-chain',
        `  with: { api_endpoint: "${api.url}/next-url" }`,
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(bare, { recursive: true, force: true }));

  function inBare(args: string[]) {
    return runBackfill(args, { cwd: bare, env: { CI: '1' } });
  }

  it('shows nothing, and exits 0, before any run', async () => {
    const { code, stdout, stderr } = await inBare(['status', '--json']);
    expect([code, stderr]).toEqual([0, '']);
    expect(JSON.parse(stdout).pipelines).toEqual([]);
  });

  it('names where it looked when it knows no pipeline at all', async () => {
    const { code, stderr } = await inBare(['status', 'elsewhere']);
    expect([code, stderr]).toEqual([
      2,
      'backfill: no pipeline is named "elsewhere" (known: none; status ' +
        'reads the pipelines of this folder, ./pipelines, $BACKFILL_JOBS ' +
        'or --config, and the ledger in .backfill/backfill.db: run it ' +
        'where you ran the pipeline)\n',
    ]);
  });

  it('shows a pipeline run from a file, read from the default ledger', async () => {
    expect((await inBare(['run', 'p.yaml'])).code).toBe(0);

    const { code, stdout, stderr } = await inBare(['status', '--json']);
    expect([code, stderr]).toEqual([0, '']);
    const status = JSON.parse(stdout);
    expect(status.pipelines).toMatchObject([
      {
        name: 'loose',
        lastRun: { status: 'succeeded' },
        chunks: { pending: 0, running: 0, done: 1, failed: 0 },
      },
    ]);
    expect(status.completed).toHaveLength(1);
    expect(status.completed[0]).toMatchObject({
      pipeline: 'loose',
      recordsStored: 25,
    });

    const one = await inBare(['status', 'loose']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^loose\s+succeeded/m);
    const unknown = await inBare(['status', 'nope']);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'backfill: no pipeline is named "nope" (known: loose)\n',
    ]);
  });
});

describe('backfill status with a file that cannot be loaded', () => {
  const VAR = 'BACKFILL_STATUS_TEST_URL';
  let broken: string;
  beforeAll(() => {
    broken = mkdtempSync(join(tmpdir(), 'backfill-status-broken-'));
    mkdirSync(join(broken, 'pipelines'));
    writeFileSync(
      join(broken, 'pipelines', 'pgp.yaml'),
      [
        'version: 1',
        'name: pgp',
        'window:',
        '  from: 2026-01-01T00:00:00Z',
        '  to: 2026-01-02T00:00:00Z',
        'source:',
        '  use: off-chain',
        `  with: { api_endpoint: "${api.url}/next-url" }`,
        'store:',
        '  use: postgres',
        '  with:',
        `    url: \${${VAR}}`,
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(broken, { recursive: true, force: true }));

  // VAR is this test's own, so it is unset unless a test sets it.
  function inBroken(args: string[], env: NodeJS.ProcessEnv = {}) {
    return runBackfill(args, { cwd: broken, env: { CI: '1', ...env } });
  }
  const unset =
    `pipelines/pgp.yaml:12:10: ENV_UNSET environment variable ${VAR} ` +
    `is not set (give a default with \${${VAR}:-value}, or run with ` +
    '--no-env) (run backfill validate)';

  it('names each file it left out and why, instead of "no runs yet"', async () => {
    const { code, stdout, stderr } = await inBroken(['status']);
    expect([code, stdout, stderr]).toEqual([
      0,
      'no runs to show: fix the files above that cannot be loaded\n',
      'backfill: pipelines/pgp.yaml cannot be loaded, its pipelines are ' +
        `left out: ${unset}\n`,
    ]);
  });

  it('says why a named pipeline cannot be shown, not "no pipeline"', async () => {
    const { code, stdout, stderr } = await inBroken(['status', 'pgp']);
    expect([code, stdout, stderr]).toEqual([
      1,
      '',
      'backfill: pipeline "pgp" is in pipelines/pgp.yaml, which cannot ' +
        `be loaded: ${unset}\n`,
    ]);
  });

  it('still names the broken file for a name no file declares', async () => {
    const { code, stderr } = await inBroken(['status', 'nope']);
    expect(code).toBe(2);
    expect(stderr.split('\n').slice(0, 2)).toEqual([
      'backfill: pipelines/pgp.yaml cannot be loaded, its pipelines are ' +
        `left out: ${unset}`,
      'backfill: no pipeline is named "nope" (known: none; status reads ' +
        'the pipelines of this folder, ./pipelines, $BACKFILL_JOBS or ' +
        '--config, and the ledger in .backfill/backfill.db: run it where ' +
        'you ran the pipeline)',
    ]);
  });

  it('never prints the url, whose password is a secret', async () => {
    const { code, stderr } = await inBroken(['status', 'pgp'], {
      [VAR]: 'postgres://app:s3cr#et@db.internal/fills',
    });
    expect([code, stderr]).toEqual([
      1,
      'backfill: pipeline "pgp" is in pipelines/pgp.yaml, which cannot ' +
        'be loaded: pipelines/pgp.yaml:12:10: POSTGRES_URL_INVALID url is ' +
        'not a connection URL postgres://user:password@host:port/db ' +
        '(value not shown: it may hold a password); percent-encode ' +
        'special characters in the user and password (# as %23, / as ' +
        '%2F, ? as %3F, @ as %40, : as %3A, % as %25) ' +
        '(run backfill validate)\n',
    ]);
  });
});
