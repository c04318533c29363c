import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  PIPELINE_DEFAULTS,
  type PipelineSpec,
} from '../../packages/core/src/model/pipeline.ts';

/** A throwaway working folder, removed by the returned function. */
export function tempFolder(): { cwd: string; remove(): void } {
  const cwd = mkdtempSync(join(tmpdir(), 'backfill-engine-'));
  return { cwd, remove: () => rmSync(cwd, { recursive: true, force: true }) };
}

/** A pipeline over the counting source, slots [0, end]. */
export function countingPipeline(
  overrides: Partial<PipelineSpec> & { with?: Record<string, unknown> } = {},
): PipelineSpec {
  const { with: params, ...rest } = overrides;
  return {
    name: 'counting',
    enabled: true,
    schedule: {},
    window: { kind: 'slot', start: 0, end: 999 },
    source: { use: 'counting', batchSize: 100, with: params ?? {} },
    transform: [],
    store: { use: 'sqlite', with: {} },
    maxRetries: PIPELINE_DEFAULTS.maxRetries,
    concurrency: 1,
    secrets: [],
    origin: { file: 'test', kind: 'code' },
    ...rest,
  };
}

/**
 * Every row of a data table, by key: `{ key: data }`. Rows are per
 * pipeline and key, so a key two pipelines wrote throws rather than
 * collapse into one entry.
 */
export function tableContent(file: string, table: string): Map<string, string> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(`SELECT key, data FROM "${table}" ORDER BY key`)
      .all() as Array<{ key: string; data: string }>;
    const content = new Map(rows.map((r) => [r.key, r.data]));
    if (content.size !== rows.length) {
      throw new Error(`${table} holds keys of several pipelines`);
    }
    return content;
  } finally {
    db.close();
  }
}

/** Runs a read-only query on a database file. */
export function query<T>(file: string, sql: string, ...args: unknown[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}
