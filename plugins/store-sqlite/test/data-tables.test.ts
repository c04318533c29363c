import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  type Logger,
  type StoreSession,
  type StoreWrite,
  silentLogger,
} from '@backfill/plugin-kit';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { sqliteStore } from '../src/index.ts';

/** What an older store made: a data table keyed on `key` alone. */
const OLD_DDL = `CREATE TABLE "off_chain" (
  key TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  data TEXT NOT NULL,
  stored_at TEXT NOT NULL
)`;
const AT = '2026-03-01T00:00:00.000Z';
const TSX = createRequire(import.meta.url).resolve('tsx');
const CHILD = join(import.meta.dirname, 'open-child.ts');

let dir: string;
let path: string;
const sessions: StoreSession[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'backfill-sqlite-data-'));
  path = join(dir, 'backfill.db');
});
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(logger: Logger = silentLogger): Promise<StoreSession> {
  const session = await sqliteStore.open({
    params: { path },
    logger,
    cwd: dir,
  });
  sessions.push(session);
  return session;
}

/** Runs `sql` on the file through a connection of its own. */
function query<T>(sql: string): T[] {
  return onFile((db) => db.prepare(sql).all() as T[]);
}

function onFile<T>(work: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

function batch(pipeline: string, ids: string[], tag: string): StoreWrite {
  return {
    pipeline,
    collection: 'off_chain',
    records: ids.map((id) => ({ key: id, value: { id, from: tag } })),
  };
}

const ROWS = `SELECT pipeline, key, data FROM off_chain ORDER BY pipeline, key`;

describe('sqlite data tables: a row per pipeline and key', () => {
  it('keeps both pipelines’ rows when they write the same keys', async () => {
    const session = await open();
    await session.write(batch('loans', ['r1', 'r2'], 'loans-api'));
    await session.write(batch('offers', ['r1', 'r2'], 'offers-api'));

    expect(query(ROWS)).toEqual([
      { pipeline: 'loans', key: 'r1', data: '{"id":"r1","from":"loans-api"}' },
      { pipeline: 'loans', key: 'r2', data: '{"id":"r2","from":"loans-api"}' },
      {
        pipeline: 'offers',
        key: 'r1',
        data: '{"id":"r1","from":"offers-api"}',
      },
      {
        pipeline: 'offers',
        key: 'r2',
        data: '{"id":"r2","from":"offers-api"}',
      },
    ]);
  });

  it('leaves one row per key when a pipeline writes a batch twice', async () => {
    const session = await open();
    await session.write(batch('loans', ['r1', 'r2'], 'first'));
    await session.write(batch('loans', ['r1', 'r2'], 'again'));

    expect(query(ROWS)).toEqual([
      { pipeline: 'loans', key: 'r1', data: '{"id":"r1","from":"again"}' },
      { pipeline: 'loans', key: 'r2', data: '{"id":"r2","from":"again"}' },
    ]);
  });

  it('refuses a table of the collection’s name that is not a data table', async () => {
    onFile((db) =>
      db.exec('CREATE TABLE off_chain (id INTEGER PRIMARY KEY, note TEXT)'),
    );
    const session = await open();

    await expect(
      session.write(batch('loans', ['r1'], 'x')),
    ).rejects.toMatchObject({
      code: 'SQLITE_DATA_TABLE',
      errorClass: 'fatal',
      details: { table: 'off_chain', primaryKey: ['id'] },
    });
  });
});

describe('a data table an older store keyed on key alone', () => {
  beforeEach(() => {
    onFile((db) => {
      db.exec(OLD_DDL);
      const insert = db.prepare('INSERT INTO off_chain VALUES (?, ?, ?, ?)');
      insert.run('r1', 'loans', '{"n":1}', AT);
      insert.run('r2', 'loans', '{"n":2}', AT);
      insert.run('r3', 'offers', '{"n":3}', AT);
      // A user's own index and view on the table.
      db.exec('CREATE INDEX off_chain_by_pipeline ON off_chain (pipeline)');
      db.exec('CREATE VIEW loans AS SELECT key FROM off_chain');
    });
  });

  it('is rekeyed to (key, pipeline) on open, its rows kept', async () => {
    const logger = recorder();
    const session = await open(logger);

    expect(primaryKey()).toEqual(['key', 'pipeline']);
    expect(query('SELECT * FROM off_chain ORDER BY key')).toEqual([
      { key: 'r1', pipeline: 'loans', data: '{"n":1}', stored_at: AT },
      { key: 'r2', pipeline: 'loans', data: '{"n":2}', stored_at: AT },
      { key: 'r3', pipeline: 'offers', data: '{"n":3}', stored_at: AT },
    ]);
    expect(logger.lines).toEqual([
      { msg: 'rekeying a data table to (key, pipeline)', table: 'off_chain' },
      {
        msg: 'data table rekeyed',
        table: 'off_chain',
        rows: 3,
        ms: expect.any(Number),
      },
    ]);
    expect(
      query("SELECT type, name FROM sqlite_master WHERE name != 'off_chain'"),
    ).toEqual(
      expect.arrayContaining([
        { type: 'index', name: 'off_chain_by_pipeline' },
        { type: 'view', name: 'loans' },
      ]),
    );
    expect(query('SELECT key FROM loans ORDER BY key')).toHaveLength(3);

    // The other pipeline's r1 is now a row of its own.
    await session.write(batch('offers', ['r1'], 'offers-api'));
    expect(query('SELECT pipeline, key FROM off_chain ORDER BY 2, 1')).toEqual([
      { pipeline: 'loans', key: 'r1' },
      { pipeline: 'offers', key: 'r1' },
      { pipeline: 'loans', key: 'r2' },
      { pipeline: 'offers', key: 'r3' },
    ]);
  });

  it('is left as it is by the next open', async () => {
    await open();
    const before = query('SELECT * FROM sqlite_master ORDER BY name');
    const logger = recorder();
    await open(logger);

    expect(logger.lines).toEqual([]);
    expect(primaryKey()).toEqual(['key', 'pipeline']);
    // Same root page: the table was not copied again.
    expect(query('SELECT * FROM sqlite_master ORDER BY name')).toEqual(before);
    expect(query('SELECT count(*) AS n FROM off_chain')).toEqual([{ n: 3 }]);
  });

  it('is rekeyed by one of four processes opening the file at once', async () => {
    // Enough rows that the copy lasts while the others try to open.
    onFile((db) => {
      const insert = db.prepare('INSERT INTO off_chain VALUES (?, ?, ?, ?)');
      db.transaction(() => {
        for (let n = 0; n < 100_000; n++) insert.run(`k${n}`, 'p', '{}', AT);
      })();
    });
    const children = [1, 2, 3, 4].map(() => openInChild());
    await Promise.all(children.map((c) => c.ready));
    for (const child of children) child.process.stdin?.write('go\n');
    const outcomes = await Promise.all(children.map((c) => c.exit));

    expect(outcomes.map((o) => [o.code, o.stderr])).toEqual(
      Array(4).fill([0, '']),
    );
    const rekeyed = outcomes
      .flatMap((o) => o.lines)
      .filter((line) => line.msg === 'data table rekeyed');
    expect(rekeyed).toEqual([
      expect.objectContaining({ table: 'off_chain', rows: 100_003 }),
    ]);
    expect(primaryKey()).toEqual(['key', 'pipeline']);
    expect(query('SELECT count(*) AS n FROM off_chain')).toEqual([
      { n: 100_003 },
    ]);
  });
});

// ---------------------------------------------------------------------------

function primaryKey(): string[] {
  return query<{ name: string; pk: number }>(
    "SELECT name, pk FROM pragma_table_info('off_chain') WHERE pk > 0",
  )
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

interface ChildOutcome {
  code: number | null;
  lines: Array<{ msg?: string }>;
  stderr: string;
}

/** open-child.ts on the database file, loaded and waiting for `go`. */
function openInChild(): {
  process: ChildProcess;
  ready: Promise<void>;
  exit: Promise<ChildOutcome>;
} {
  const child = spawn(process.execPath, ['--import', TSX, CHILD, path], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout?.on('data', (data) => {
      stdout += data;
      if (stdout.startsWith('ready\n')) resolve();
    });
    child.on('exit', () => resolve());
  });
  child.stderr?.on('data', (data) => {
    stderr += data;
  });
  const exit = new Promise<ChildOutcome>((resolve) => {
    child.on('close', (code) => {
      const lines = stdout
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      resolve({ code, lines, stderr });
    });
  });
  return { process: child, ready, exit };
}

/** A logger that keeps the info lines: message and fields. */
function recorder(): Logger & { lines: object[] } {
  const lines: object[] = [];
  const logger = {
    ...silentLogger,
    lines,
    info: (obj: object, msg?: string) => lines.push({ msg, ...obj }),
    child: () => logger,
  };
  return logger;
}
