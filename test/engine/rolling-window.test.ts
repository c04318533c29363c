import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  definePlugin,
  PLUGIN_API_VERSION,
  type SourceContext,
} from '@backfill/plugin-kit';
import sqlite from '@backfill/store-sqlite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';
import {
  type HttpApiServer,
  idsBetween,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { BACKFILL_BIN, runBackfill } from '../support/cli.ts';
import { fakeClock } from './fake-clock.ts';
import { countingPipeline, query, tempFolder } from './helpers.ts';

const MINUTE = 60_000;

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder?.remove());

describe('an off-chain run on a rolling window, interrupted', () => {
  let api: HttpApiServer;
  beforeAll(async () => {
    api = await startHttpApiServer({ records: 25, pageSize: 10 });
  });
  afterAll(() => api.close());

  it('is continued by the next run at the next page, in the same chunk', async () => {
    folder = tempFolder();
    mkdirSync(join(folder.cwd, 'pipelines'));
    const file = join(folder.cwd, 'pipelines', 'partner.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'name: partner',
        'window: { last: 6h }',
        'source:',
        '  use: off-chain',
        `  with: { api_endpoint: "${api.url}/next-url" }`,
        'store:',
        '  use: sqlite',
        '  with: { path: .backfill/partner.db }',
        '',
      ].join('\n'),
    );

    expect(await backfill(folder.cwd, 'run', file, '--limit', '10')).toBe(0);
    const db = join(folder.cwd, '.backfill/partner.db');
    const first = query<{ id: string; state: string }>(
      db,
      'SELECT id, state FROM chunks',
    );
    expect(first.map((c) => c.state)).toEqual(['pending']);
    // The window moves on between runs: a new exact window, a new id.
    await new Promise((r) => setTimeout(r, 20));
    expect(await backfill(folder.cwd, 'run', file)).toBe(0);

    expect(api.requests.map((r) => r.query.from ?? 'first')).toEqual([
      'first',
      '10',
      '20',
    ]);
    expect(
      query<{ key: string }>(db, 'SELECT key FROM off_chain ORDER BY key').map(
        (row) => row.key,
      ),
    ).toEqual(idsBetween(1, 25));
    expect(query(db, 'SELECT id, state, records FROM chunks')).toEqual([
      { id: first[0]?.id, state: 'done', records: 25 },
    ]);
  });
});

describe('an off-chain run on the default window, stopped by SIGINT', () => {
  let api: HttpApiServer;
  beforeAll(async () => {
    api = await startHttpApiServer({ records: 25, pageSize: 10 });
  });
  afterAll(() => api.close());

  it('exits 130, and the next run continues at the next page', async () => {
    folder = tempFolder();
    const file = join(folder.cwd, 'partner.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'name: partner',
        'source:',
        '  use: off-chain',
        // A page every 2 s: time to stop the run between two pages.
        `  with: { api_endpoint: "${api.url}/next-url", requests_per_second: 0.5 }`,
        'store: { use: sqlite }',
        '',
      ].join('\n'),
    );
    const db = join(folder.cwd, '.backfill/backfill.db');

    const child = spawn(process.execPath, [BACKFILL_BIN, 'run', file], {
      cwd: folder.cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout?.on('data', (data) => {
      stdout += data;
    });
    const exit = new Promise((r) => child.on('exit', (code) => r(code)));
    await until(() => storedRecords(db) === 10);
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(stdout).toBe(
      'partner: interrupted, 10 records stored, 0 dead-lettered; chunks ' +
        '0 done, 0 failed, 1 pending, 0 already done\n',
    );
    expect(api.requests).toHaveLength(1);

    expect(await backfill(folder.cwd, 'run', file)).toBe(0);
    expect(api.requests.map((r) => r.query.from ?? 'first')).toEqual([
      'first',
      '10',
      '20',
    ]);
    expect(
      query<{ key: string }>(db, 'SELECT key FROM off_chain ORDER BY key').map(
        (row) => row.key,
      ),
    ).toEqual(idsBetween(1, 25));
    expect(query(db, 'SELECT state, records FROM chunks')).toEqual([
      { state: 'done', records: 25 },
    ]);
  });
});

/** The counting source over time ranges: one record per minute. */
const minutes = definePlugin({
  name: 'backfill-plugin-minutes',
  apiVersion: PLUGIN_API_VERSION,
  sources: [
    {
      name: 'minutes',
      schema: { type: 'object' },
      capabilities: { resumable: true, splittable: true, ranges: ['time'] },
      fetch(ctx: SourceContext<Record<string, unknown>>) {
        const range = ctx.chunk.range;
        if (range.kind !== 'time') throw new Error('minutes reads time');
        const slots = {
          kind: 'slot' as const,
          start: Date.parse(range.from) / MINUTE,
          end: Date.parse(range.to) / MINUTE - 1,
        };
        const source = counting.sources?.[0];
        if (!source) throw new Error('no counting source');
        return source.fetch({ ...ctx, chunk: { ...ctx.chunk, range: slots } });
      },
    },
  ],
});

describe('a splittable source on a rolling window, interrupted', () => {
  const registry = registryOf([minutes, sqlite]);
  const spec = countingPipeline({
    name: 'minutes',
    window: { kind: 'last', durationMs: 3 * 60 * MINUTE },
    source: { use: 'minutes', batchSize: 10, with: {} },
  });
  const at = (time: string) => fakeClock(Date.parse(time)).clock;

  it('runs the earlier leftovers from their cursors, edges merged', async () => {
    folder = tempFolder();
    const options = { registry, cwd: folder.cwd };
    // 07:30 to 10:30; stops 20 records into [07:30, 08:00).
    const one = await runPipeline(spec, {
      ...options,
      clock: at('2026-03-01T10:30:00Z'),
      limit: 20,
    });
    expect(one.recordsStored).toBe(20);
    // 08:45 to 11:45: [07:30, 08:00) and [08:00, 09:00) lie before it.
    const two = await runPipeline(spec, {
      ...options,
      clock: at('2026-03-01T11:45:00Z'),
    });

    // 07:30 to 11:45 is 255 minutes: each stored once, none fetched twice.
    expect(one.recordsFetched + two.recordsFetched).toBe(255);
    expect(two.recordsStored).toBe(235);
    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(query(db, 'SELECT COUNT(*) AS n FROM minutes')).toEqual([
      { n: 255 },
    ]);
    expect(
      query(db, 'SELECT id, state, records FROM chunks ORDER BY range_start'),
    ).toEqual([
      {
        id: '2026-03-01T07:30:00.000Z/2026-03-01T08:00:00.000Z',
        state: 'done',
        records: 30,
      },
      {
        id: '2026-03-01T08:00:00.000Z/2026-03-01T09:00:00.000Z',
        state: 'done',
        records: 60,
      },
      {
        id: '2026-03-01T09:00:00.000Z/2026-03-01T10:00:00.000Z',
        state: 'done',
        records: 60,
      },
      // The old edge [10:00, 10:30) was widened to [10:00, 11:00).
      {
        id: '2026-03-01T10:00:00.000Z/2026-03-01T10:30:00.000Z',
        state: 'done',
        records: 60,
      },
      {
        id: '2026-03-01T11:00:00.000Z/2026-03-01T11:45:00.000Z',
        state: 'done',
        records: 45,
      },
    ]);
  });

  it('starts over under --reprocess all', async () => {
    folder = tempFolder();
    const options = { registry, cwd: folder.cwd };
    await runPipeline(spec, {
      ...options,
      clock: at('2026-03-01T10:30:00Z'),
      limit: 20,
    });
    const two = await runPipeline(spec, {
      ...options,
      clock: at('2026-03-01T11:45:00Z'),
      reprocess: 'all',
    });
    expect(two.recordsFetched).toBe(255);
    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(
      query(db, "SELECT COUNT(*) AS n FROM chunks WHERE state != 'done'"),
    ).toEqual([{ n: 0 }]);
  });
});

/** Records the ledger holds for its chunks; 0 before the file exists. */
function storedRecords(db: string): number {
  try {
    return query<{ n: number }>(db, 'SELECT SUM(records) AS n FROM chunks')[0]
      ?.n as number;
  } catch {
    return 0;
  }
}

async function until(test: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function backfill(cwd: string, ...args: string[]): Promise<number> {
  return (await runBackfill(args, { cwd })).code;
}
