// `pnpm bench engine`: one million small records through a source, two
// transforms (set, rename) and the sqlite store, against a plain
// better-sqlite3 loop doing the same upserts in batches of the same size.
// Targets: at least 70% of the plain loop's records/s; peak RSS < 300 MB.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  definePlugin,
  PLUGIN_API_VERSION,
  type SourceRecord,
} from '@backfill/plugin-kit';
import sqlite from '@backfill/store-sqlite';
import Database from 'better-sqlite3';

import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import { median } from './median.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const BATCH = 1000;
const MIN_RATIO = 0.7;
const MAX_RSS_MB = 300;

function batchOf(start: number, shape: 'source' | 'stored'): SourceRecord[] {
  const records: SourceRecord[] = [];
  for (let n = start; n < Math.min(RECORDS, start + BATCH); n++) {
    const value: SourceRecord['value'] =
      shape === 'source'
        ? { n, side: n % 2 ? 'borrow' : 'lend', amount: n * 7 }
        : {
            side: n % 2 ? 'borrow' : 'lend',
            amount: n * 7,
            network: 'mainnet',
            slot: n,
          };
    records.push({ key: `k${n}`, value });
  }
  return records;
}

const generator = definePlugin({
  name: 'bench-source',
  apiVersion: PLUGIN_API_VERSION,
  sources: [
    {
      name: 'bench',
      schema: { type: 'object' },
      capabilities: { resumable: true, splittable: false, ranges: ['slot'] },
      async *fetch(ctx) {
        let next = (ctx.cursor as number | null) ?? 0;
        while (next < RECORDS) {
          const records = batchOf(next, 'source');
          next += records.length;
          yield { records, cursor: next, progress: next / RECORDS };
        }
      },
    },
  ],
});

async function engineRate(cwd: string): Promise<number> {
  const started = performance.now();
  const summary = await runPipeline(
    {
      name: 'bench',
      enabled: true,
      schedule: {},
      window: { kind: 'slot', start: 0, end: RECORDS - 1 },
      source: { use: 'bench', batchSize: BATCH, with: {} },
      transform: [
        { use: 'set', with: { fields: { network: 'mainnet' } } },
        { use: 'rename', with: { fields: { n: 'slot' } } },
      ],
      store: { use: 'sqlite', with: { path: 'engine.db' } },
      maxRetries: 3,
      concurrency: 1,
      secrets: [],
      origin: { file: 'bench', kind: 'code' },
    },
    { registry: registryOf([generator, sqlite]), cwd },
  );
  if (summary.recordsStored !== RECORDS) {
    throw new Error(`engine stored ${summary.recordsStored} of ${RECORDS}`);
  }
  return RECORDS / ((performance.now() - started) / 1000);
}

function plainRate(cwd: string): number {
  const started = performance.now();
  const db = new Database(join(cwd, 'plain.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // The store's table and upsert: a row per pipeline and key.
  db.exec(`CREATE TABLE bench (key TEXT NOT NULL, pipeline TEXT NOT NULL,
    data TEXT NOT NULL, stored_at TEXT NOT NULL, PRIMARY KEY (key, pipeline))`);
  const upsert = db.prepare(
    `INSERT INTO bench (key, pipeline, data, stored_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (key, pipeline) DO UPDATE SET data = excluded.data,
       stored_at = excluded.stored_at`,
  );
  const insertBatch = db.transaction((records: SourceRecord[]) => {
    const at = new Date().toISOString();
    for (const r of records) {
      upsert.run(r.key, 'bench', JSON.stringify(r.value), at);
    }
  });
  for (let n = 0; n < RECORDS; n += BATCH) insertBatch(batchOf(n, 'stored'));
  db.close();
  return RECORDS / ((performance.now() - started) / 1000);
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

// Rounds alternate the two, each on fresh files; the median of the
// rounds' ratios is compared, so that one slow flush of the disk on a
// shared machine does not decide the result.
const cwd = mkdtempSync(join(tmpdir(), 'backfill-bench-'));
try {
  const plain: number[] = [];
  const engine: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const folder = join(cwd, `round-${round}`);
    mkdirSync(folder);
    plain.push(plainRate(folder));
    engine.push(await engineRate(folder));
    rmSync(folder, { recursive: true, force: true });
  }
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const ratio = median(engine.map((e, i) => e / (plain[i] as number)));
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  process.stdout.write(
    `plain better-sqlite3 loop: ${fmt(median(plain))} records/s\n` +
      `engine (source, 2 transforms, sqlite): ${fmt(median(engine))} ` +
      `records/s\n` +
      `ratio ${(ratio * 100).toFixed(1)}% (median of ${ROUNDS} rounds; ` +
      `target >= ${MIN_RATIO * 100}%), ` +
      `peak RSS ${peakMb.toFixed(0)} MB (target < ${MAX_RSS_MB} MB)\n`,
  );
  process.exitCode = ratio >= MIN_RATIO && peakMb < MAX_RSS_MB ? 0 : 1;
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
