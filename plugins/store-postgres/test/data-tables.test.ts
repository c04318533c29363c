import { tmpdir } from 'node:os';

import {
  type Logger,
  type StoreSession,
  type StoreWrite,
  silentLogger,
} from '@backfill/plugin-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.ts';
import { postgresStore } from '../src/index.ts';

const reason = postgresUnavailable();
if (reason) console.warn(`skipping the postgres data table tests: ${reason}`);

const AT = '2026-03-01T00:00:00.000Z';

let server: TestPostgres;
const sessions: StoreSession[] = [];

async function open(
  schema: string,
  logger: Logger = silentLogger,
): Promise<StoreSession> {
  const session = await postgresStore.open({
    params: { url: server.url, schema },
    logger,
    cwd: tmpdir(),
  });
  sessions.push(session);
  return session;
}

async function sql<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** What an older store made: `schema`.off_chain keyed on `key` alone. */
async function oldTable(schema: string): Promise<void> {
  await sql(`CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.off_chain (
      key text PRIMARY KEY,
      pipeline text NOT NULL,
      data jsonb NOT NULL,
      stored_at timestamptz NOT NULL
    );
    INSERT INTO ${schema}.off_chain VALUES
      ('r1', 'loans', '{"n":1}', '${AT}'),
      ('r2', 'loans', '{"n":2}', '${AT}'),
      ('r3', 'offers', '{"n":3}', '${AT}');
    CREATE INDEX off_chain_by_pipeline ON ${schema}.off_chain (pipeline);`);
}

/** The primary key of `schema`.off_chain: its oid and columns. */
async function primaryKey(schema: string) {
  const [row] = await sql<{ oid: number; columns: string[] }>(
    `SELECT con.oid::int AS oid,
       array(SELECT a.attname::text
             FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a
               ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.n) AS columns
     FROM pg_constraint con
     WHERE con.conrelid = $1::regclass AND con.contype = 'p'`,
    [`${schema}.off_chain`],
  );
  return row;
}

function batch(pipeline: string, ids: string[], tag: string): StoreWrite {
  return {
    pipeline,
    collection: 'off_chain',
    records: ids.map((id) => ({ key: id, value: { id, from: tag } })),
  };
}

const rows = (schema: string) =>
  sql(
    `SELECT pipeline, key, data FROM ${schema}.off_chain
     ORDER BY pipeline, key COLLATE "C"`,
  );

describe.skipIf(reason)('postgres data tables', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const s of sessions) await s.close();
    server?.stop();
  });

  describe('a row per pipeline and key', () => {
    it('keeps both pipelines’ rows when they write the same keys', async () => {
      const session = await open('two_pipelines');
      await session.write(batch('loans', ['r1', 'r2'], 'loans-api'));
      await session.write(batch('offers', ['r1', 'r2'], 'offers-api'));

      expect(await rows('two_pipelines')).toEqual([
        { pipeline: 'loans', key: 'r1', data: { id: 'r1', from: 'loans-api' } },
        { pipeline: 'loans', key: 'r2', data: { id: 'r2', from: 'loans-api' } },
        {
          pipeline: 'offers',
          key: 'r1',
          data: { id: 'r1', from: 'offers-api' },
        },
        {
          pipeline: 'offers',
          key: 'r2',
          data: { id: 'r2', from: 'offers-api' },
        },
      ]);
      expect((await primaryKey('two_pipelines'))?.columns).toEqual([
        'key',
        'pipeline',
      ]);
    });

    it('leaves one row per key when a pipeline writes a batch twice', async () => {
      const session = await open('twice');
      await session.write(batch('loans', ['r1', 'r2'], 'first'));
      await session.write(batch('loans', ['r1', 'r2'], 'again'));

      expect(await rows('twice')).toEqual([
        { pipeline: 'loans', key: 'r1', data: { id: 'r1', from: 'again' } },
        { pipeline: 'loans', key: 'r2', data: { id: 'r2', from: 'again' } },
      ]);
    });

    it('refuses a table of the collection’s name that is not a data table', async () => {
      await sql(`CREATE SCHEMA foreign_table;
        CREATE TABLE foreign_table.off_chain (id int PRIMARY KEY, note text)`);
      const session = await open('foreign_table');

      await expect(
        session.write(batch('loans', ['r1'], 'x')),
      ).rejects.toMatchObject({
        code: 'POSTGRES_DATA_TABLE',
        errorClass: 'fatal',
        details: { table: 'off_chain', primaryKey: ['id'] },
      });
    });
  });

  describe('a data table an older store keyed on key alone', () => {
    it('is rekeyed to (key, pipeline) on open, its rows kept', async () => {
      await oldTable('old_once');
      const logger = recorder();
      const session = await open('old_once', logger);

      expect((await primaryKey('old_once'))?.columns).toEqual([
        'key',
        'pipeline',
      ]);
      expect(
        await sql(
          `SELECT key, pipeline, data, stored_at
           FROM old_once.off_chain ORDER BY key`,
        ),
      ).toEqual([
        {
          key: 'r1',
          pipeline: 'loans',
          data: { n: 1 },
          stored_at: new Date(AT),
        },
        {
          key: 'r2',
          pipeline: 'loans',
          data: { n: 2 },
          stored_at: new Date(AT),
        },
        {
          key: 'r3',
          pipeline: 'offers',
          data: { n: 3 },
          stored_at: new Date(AT),
        },
      ]);
      expect(logger.lines).toEqual([
        { msg: 'rekeying a data table to (key, pipeline)', table: 'off_chain' },
        {
          msg: 'data table rekeyed',
          table: 'off_chain',
          ms: expect.any(Number),
        },
      ]);
      expect(
        await sql(
          `SELECT indexname FROM pg_indexes
           WHERE schemaname = 'old_once' AND tablename = 'off_chain'
           ORDER BY indexname`,
        ),
      ).toEqual([
        { indexname: 'off_chain_by_pipeline' },
        { indexname: 'off_chain_pkey' },
      ]);

      // The other pipeline's r1 is now a row of its own.
      await session.write(batch('offers', ['r1'], 'offers-api'));
      expect(
        await sql(
          `SELECT pipeline, key FROM old_once.off_chain ORDER BY key, pipeline`,
        ),
      ).toEqual([
        { pipeline: 'loans', key: 'r1' },
        { pipeline: 'offers', key: 'r1' },
        { pipeline: 'loans', key: 'r2' },
        { pipeline: 'offers', key: 'r3' },
      ]);
    });

    it('is left as it is by the next open', async () => {
      await oldTable('old_twice');
      await open('old_twice');
      const before = await primaryKey('old_twice');
      const logger = recorder();
      await open('old_twice', logger);

      expect(logger.lines).toEqual([]);
      // Same constraint: it was not dropped and added again.
      expect(before?.columns).toEqual(['key', 'pipeline']);
      expect(await primaryKey('old_twice')).toEqual(before);
      expect(
        await sql('SELECT count(*)::int AS n FROM old_twice.off_chain'),
      ).toEqual([{ n: 3 }]);
    });

    it('is rekeyed by one of four processes opening the schema at once', async () => {
      await oldTable('old_racing');
      const logger = recorder();
      await Promise.all([1, 2, 3, 4].map(() => open('old_racing', logger)));

      expect(
        logger.lines.filter((line) => line.msg === 'data table rekeyed'),
      ).toHaveLength(1);
      expect((await primaryKey('old_racing'))?.columns).toEqual([
        'key',
        'pipeline',
      ]);
      expect(
        await sql('SELECT count(*)::int AS n FROM old_racing.off_chain'),
      ).toEqual([{ n: 3 }]);
    });
  });
});

// ---------------------------------------------------------------------------

/** A logger that keeps the info lines: message and fields. */
function recorder(): Logger & { lines: Array<{ msg?: string }> } {
  const lines: Array<{ msg?: string }> = [];
  const logger = {
    ...silentLogger,
    lines,
    info: (obj: object, msg?: string) => lines.push({ msg, ...obj }),
    child: () => logger,
  };
  return logger;
}
