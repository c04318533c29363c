// `backfill run` of a glacier pipeline in a child process, exactly as a
// user types it, and what it left in the SQLite file.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'packages/cli/bin/backfill.js');

export interface GlacierPipeline {
  /** The working folder: the pipeline file and the database go there. */
  dir: string;
  vault: string;
  archiveId: string;
  batchSize: number;
  /** Extra `with:` lines, e.g. `chunk_size: 1`. */
  extra?: string[];
}

/** Writes `<dir>/glacier.yaml`; the store is `<dir>/backfill.db`. */
export function writePipeline(p: GlacierPipeline): string {
  const file = join(p.dir, 'glacier.yaml');
  writeFileSync(
    file,
    [
      'version: 1',
      'name: glacier-offers',
      'window: { from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z" }',
      'source:',
      '  use: glacier',
      `  batch_size: ${p.batchSize}`,
      '  with:',
      `    vault_name: ${p.vault}`,
      `    archive_id: "${p.archiveId}"`,
      '    retrieval: true',
      '    tier: Expedited',
      '    poll_interval: 200ms',
      ...(p.extra ?? []).map((line) => `    ${line}`),
      'store:',
      '  use: sqlite',
      `  with: { path: "${databaseOf(p.dir)}" }`,
      '',
    ].join('\n'),
  );
  return file;
}

export function databaseOf(dir: string): string {
  return join(dir, 'backfill.db');
}

/** The AWS settings of a loopback endpoint, for a child's environment. */
export function endpointEnv(
  variable: 'AWS_ENDPOINT_URL' | 'AWS_ENDPOINT_URL_GLACIER',
  url: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [variable]: url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    NO_COLOR: '1',
  };
  if (variable === 'AWS_ENDPOINT_URL') delete env.AWS_ENDPOINT_URL_GLACIER;
  return env;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** `backfill run --force <pipeline>` in `dir`; `child` sees the process. */
export function runPipeline(
  dir: string,
  pipeline: string,
  env: NodeJS.ProcessEnv,
  child?: (process: ChildProcess) => void,
): Promise<RunResult> {
  const proc = spawn(process.execPath, [CLI, 'run', '--force', pipeline], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => {
    output += d;
  });
  proc.stderr.on('data', (d) => {
    output += d;
  });
  child?.(proc);
  return new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

/** Every key stored in the `glacier` table, sorted. */
export function storedKeys(dir: string): string[] {
  return readDb(dir, (db) =>
    db
      .prepare('SELECT key FROM glacier ORDER BY key')
      .all()
      .map((row) => (row as { key: string }).key),
  );
}

/** One stored record, parsed; undefined when absent. */
export function storedRecord(dir: string, key: string): unknown {
  return readDb(dir, (db) => {
    const row = db.prepare('SELECT data FROM glacier WHERE key = ?').get(key) as
      | { data: string }
      | undefined;
    return row ? JSON.parse(row.data) : undefined;
  });
}

/** Offset committed in the chunk cursor of the glacier pipeline, if any. */
export function committedOffset(dir: string): number | undefined {
  try {
    return readDb(dir, (db) => {
      const row = db
        .prepare("SELECT cursor FROM chunks WHERE pipeline = 'glacier-offers'")
        .get() as { cursor: string | null } | undefined;
      const cursor = row?.cursor ? JSON.parse(row.cursor) : undefined;
      return cursor?.position?.offset as number | undefined;
    });
  } catch {
    return undefined; // not created yet
  }
}

/** Records the ledger counts as stored for the glacier pipeline. */
export function committedRecords(dir: string): number {
  return readDb(dir, (db) => {
    const row = db
      .prepare(
        "SELECT sum(records) AS n FROM chunks WHERE pipeline = 'glacier-offers'",
      )
      .get() as { n: number | null };
    return row.n ?? 0;
  });
}

function readDb<T>(dir: string, read: (db: Database.Database) => T): T {
  const db = new Database(databaseOf(dir), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    db.pragma('busy_timeout = 5000');
    return read(db);
  } finally {
    db.close();
  }
}
