import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { cli, writeCountProject } from './cli.ts';
import { query, tempFolder } from './helpers.ts';

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

const dbOf = (cwd: string) => join(cwd, '.backfill/backfill.db');

/** The one `--json` document of a run: its first run summary. */
async function runJson(cwd: string, ...args: string[]) {
  const { code, stdout } = await cli(cwd, 'run', '--json', ...args);
  return { code, run: JSON.parse(stdout).runs[0] };
}

describe('backfill run --dry-run', () => {
  it('prints the plan and writes nothing', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd, {
      with: '{ poison_slot: 42 }',
      transform: ['{ use: reject, with: { slots: [42] } }'],
    });
    expect(await cli(folder.cwd, 'run', '--dry-run')).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'count: slots 0 to 999 in 1 chunks',
        '  source    counting {"poison_slot":42}',
        '  transform reject {"slots":[42]}',
        '  store     sqlite {} -> counting',
        '  chunk     slots 0 to 999',
        '',
      ].join('\n'),
    });
    expect(existsSync(join(folder.cwd, '.backfill'))).toBe(false);
  });

  it('prints the plan as one JSON document with --json', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    const { code, stdout } = await cli(
      folder.cwd,
      'run',
      '--dry-run',
      '--json',
      '--from',
      '100',
      '--to',
      '199',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      dryRun: true,
      plans: [
        {
          pipeline: 'count',
          source: { use: 'counting', batchSize: 100, with: {} },
          transform: [],
          store: { use: 'sqlite', with: {}, collection: 'counting' },
          window: { kind: 'slot', start: 100, end: 199 },
          chunks: [
            {
              id: 'slots:100-199',
              range: { kind: 'slot', start: 100, end: 199 },
            },
          ],
        },
      ],
    });
    expect(existsSync(dbOf(folder.cwd))).toBe(false);
  });

  it('a window of the wrong kind is one line and exit 1, as in a run', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    const times = ['--from', '2026-01-01T00:00:00Z'];
    times.push('--to', '2026-01-02T00:00:00Z');
    expect(await cli(folder.cwd, 'run', '--dry-run', ...times)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'backfill: count: the source reads slot ranges, not a time window: ' +
        'give the window as slot [ENGINE_RANGE_KIND]\n',
    });
    expect(existsSync(dbOf(folder.cwd))).toBe(false);
  });
});

describe('backfill run --json', () => {
  it('prints one parseable summary document on stdout', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    const { code, stdout } = await cli(folder.cwd, 'run', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      status: 'succeeded',
      runs: [
        {
          pipeline: 'count',
          runId: expect.any(String),
          status: 'succeeded',
          window: { kind: 'slot', start: 0, end: 999 },
          chunks: { planned: 1, done: 1, failed: 0, pending: 0, skipped: 0 },
          gaps: 0,
          limited: false,
          recordsFetched: 1000,
          recordsStored: 1000,
          recordsDeadLettered: 0,
          recordsFiltered: 0,
          startedAt: expect.any(String),
          endedAt: expect.any(String),
        },
      ],
    });
  });
});

describe('backfill run --limit', () => {
  it('stops after N records; the next run stores the rest once', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    const first = await runJson(folder.cwd, '--limit', '250');
    expect(first.code).toBe(0);
    expect(first.run).toMatchObject({
      status: 'succeeded',
      limited: true,
      recordsFetched: 250,
      recordsStored: 250,
      chunks: { done: 0, pending: 1 },
    });
    // The batch cut at 250 was stored without its cursor.
    const db = dbOf(folder.cwd);
    expect(query(db, 'SELECT state, cursor, records FROM chunks')).toEqual([
      { state: 'pending', cursor: '{"next":200}', records: 200 },
    ]);
    expect(query(db, 'SELECT count(*) AS n FROM counting')).toEqual([
      { n: 250 },
    ]);

    const rest = await runJson(folder.cwd);
    expect(rest.run).toMatchObject({
      status: 'succeeded',
      limited: false,
      recordsFetched: 800,
      recordsStored: 800,
    });
    expect(query(db, 'SELECT state, cursor, records FROM chunks')).toEqual([
      { state: 'done', cursor: '{"next":1000}', records: 1000 },
    ]);
    expect(query(db, 'SELECT count(*) AS n FROM counting')).toEqual([
      { n: 1000 },
    ]);
  });
});

describe('backfill run --reprocess on an overlapping second run', () => {
  /** A first run whose chunk fails at slot 200, its cursor at 200. */
  async function failedAt200(cwd: string) {
    writeCountProject(cwd, {
      transform: ['{ use: reject, with: { from: 200 } }'],
    });
    const failed = await runJson(cwd);
    expect(failed.code).toBe(1);
    expect(failed.run).toMatchObject({ status: 'failed', recordsStored: 200 });
    expect(
      query(dbOf(cwd), 'SELECT state, cursor, records FROM chunks'),
    ).toEqual([{ state: 'failed', cursor: '{"next":200}', records: 200 }]);
    writeCountProject(cwd); // fixed
  }

  it('none resumes a failed chunk from its cursor', async () => {
    folder = tempFolder();
    await failedAt200(folder.cwd);
    const again = await runJson(folder.cwd, '--reprocess', 'none');
    expect(again.run).toMatchObject({
      status: 'succeeded',
      recordsFetched: 800,
    });
  });

  it('failed restarts a failed chunk from its start', async () => {
    folder = tempFolder();
    await failedAt200(folder.cwd);
    const again = await runJson(folder.cwd, '--reprocess', 'failed');
    expect(again.run).toMatchObject({
      status: 'succeeded',
      recordsFetched: 1000,
    });
    // failed leaves a done chunk alone.
    const after = await runJson(folder.cwd, '--reprocess', 'failed');
    expect(after.run).toMatchObject({
      recordsFetched: 0,
      chunks: { planned: 1, skipped: 1 },
    });
  });

  it('all runs done chunks again; upserts keep one row per key', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    await runJson(folder.cwd);
    const none = await runJson(folder.cwd);
    expect(none.run).toMatchObject({
      recordsFetched: 0,
      chunks: { skipped: 1 },
    });
    const all = await runJson(folder.cwd, '--reprocess', 'all');
    expect(all.run).toMatchObject({
      status: 'succeeded',
      recordsFetched: 1000,
      recordsStored: 1000,
      chunks: { done: 1, skipped: 0 },
    });
    const db = dbOf(folder.cwd);
    expect(query(db, 'SELECT count(*) AS n FROM counting')).toEqual([
      { n: 1000 },
    ]);
    expect(query(db, 'SELECT records FROM chunks')).toEqual([
      { records: 1000 },
    ]);
  });
});

describe('backfill run, used wrongly', () => {
  it('--source without --run-once is wrong usage, not ignored', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    expect(await cli(folder.cwd, 'run', '--source', 'chain')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'backfill: --source picks the built-in job of --run-once; add ' +
        '--run-once, or drop --source to run pipeline files\n',
    });
    expect(existsSync(dbOf(folder.cwd))).toBe(false);
  });

  it('--json with an invalid pipeline still prints one document', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    writeFileSync(
      join(folder.cwd, 'pipelines/count.yaml'),
      'version: 1\nname: count\nsource: { use: counting }\nwindw: x\n',
    );
    const { code, stdout } = await cli(folder.cwd, 'run', '--json');
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      status: 'invalid',
      runs: [],
      validation: {
        schemaVersion: 1,
        files: [
          {
            path: 'pipelines/count.yaml',
            valid: false,
            errors: [
              expect.objectContaining({
                code: 'UNKNOWN_KEY',
                line: 4,
                column: 1,
                pointer: '/windw',
              }),
            ],
          },
        ],
      },
    });
  });
});
