import { createServer } from 'node:net';
import { tmpdir } from 'node:os';

import {
  type LeaseRow,
  type StateBackend,
  type StoreSession,
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
import type { PostgresParams } from '../src/params.ts';

const reason = postgresUnavailable();
if (reason) console.warn(`skipping the postgres store tests: ${reason}`);

let server: TestPostgres;
const sessions: StoreSession[] = [];
let schemas = 0;

/** A session on a fresh schema, or on `schema` when given. */
async function open(params: Partial<PostgresParams> = {}) {
  const session = await postgresStore.open({
    params: { url: server.url, schema: `t${++schemas}`, ...params },
    logger: silentLogger,
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

describe.skipIf(reason)('the postgres store', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const s of sessions) await s.close();
    server?.stop();
  });

  it('creates its tables once when four processes open at once', async () => {
    const opened = await Promise.all(
      [1, 2, 3, 4].map(() => open({ schema: 'racing' })),
    );
    expect(opened).toHaveLength(4);
    await opened[0]?.write({
      pipeline: 'p',
      collection: 'loans',
      records: [{ key: 'a', value: { n: 1 } }],
    });
    await Promise.all(
      opened
        .slice(1)
        .map((s) =>
          s.write({ pipeline: 'p', collection: 'loans', records: [] }),
        ),
    );

    const tables = await sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'racing' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'chunks',
      'dead_letters',
      'gaps',
      'leases',
      'loans',
      'runs',
    ]);
  });

  it('keeps records as JSONB that psql can query', async () => {
    const session = await open({ schema: 'jsonb' });
    const records = Array.from({ length: 5000 }, (_, n) => ({
      key: `slot-${n}`,
      value: { slot: n, parity: n % 2 === 0 ? 'even' : 'odd' },
    }));
    await session.write({ pipeline: 'p', collection: 'fills', records });

    expect(
      await sql(
        `SELECT data->>'parity' AS parity, count(*)::int AS n
         FROM jsonb.fills GROUP BY 1 ORDER BY 1`,
      ),
    ).toEqual([
      { parity: 'even', n: 2500 },
      { parity: 'odd', n: 2500 },
    ]);
    expect(
      await sql(`SELECT data FROM jsonb.fills WHERE key = 'slot-7'`),
    ).toEqual([{ data: { slot: 7, parity: 'odd' } }]);
  });

  it('fails a batch it cannot hold as fatal, and writes none of it', async () => {
    const session = await open({ schema: 'nul' });
    const write = session.write({
      pipeline: 'p',
      collection: 'fills',
      records: [
        { key: 'good', value: { memo: 'fine' } },
        { key: 'bad', value: { memo: 'nul \u0000 byte' } },
      ],
    });
    await expect(write).rejects.toMatchObject({
      code: 'POSTGRES_QUERY',
      errorClass: 'fatal',
      details: { collection: 'fills', records: 2, sqlState: '22P05' },
    });
    expect(await sql('SELECT key FROM nul.fills')).toEqual([]);
  });

  it('lets one of two processes take a free lease, round after round', async () => {
    const [a, b] = await Promise.all([
      open({ schema: 'lease' }),
      open({ schema: 'lease' }),
    ]);
    const states = [a, b].map((s) => s?.state as StateBackend);
    const lease = (holder: string): LeaseRow => ({
      pipeline: 'p',
      holder,
      host: 'h',
      pid: 1,
      runId: holder,
      since: '2026-03-01T00:00:00.000Z',
      heartbeatAt: '2026-03-01T00:00:00.000Z',
    });

    const wins: string[] = [];
    for (let round = 0; round < 25; round++) {
      const results = await Promise.all(
        states.map((s, i) => s.acquireLease(lease(`${round}-${i}`))),
      );
      const won = results.filter((r) => r.acquired);
      expect(won).toHaveLength(1);
      const holder = won[0]?.lease.holder as string;
      expect(results.map((r) => r.lease.holder)).toEqual([holder, holder]);
      wins.push(holder);
      await states[0]?.releaseLease('p', holder);
      await states[1]?.releaseLease('p', holder);
    }
    expect(wins).toHaveLength(25);
    expect(await sql('SELECT * FROM lease.leases')).toEqual([]);
  });

  it('keeps pipelines of two schemas apart', async () => {
    const [x, y] = [await open(), await open()];
    await x?.state?.planChunks('p', [
      { id: 'c', range: { kind: 'slot', start: 0, end: 1 } },
    ]);
    expect(await y?.state?.listChunks('p')).toEqual([]);
    expect(await x?.state?.listChunks('p')).toHaveLength(1);
  });

  it('fails to open an unreachable server without showing the password', async () => {
    const port = await closedPort();
    const open = postgresStore.open({
      params: {
        url: `postgres://app:hunter2@127.0.0.1:${port}/fills`,
        connect_timeout_ms: 5000,
      },
      logger: silentLogger,
      cwd: tmpdir(),
    });
    const error = await open.catch((e: Error) => e);
    expect(error).toMatchObject({
      code: 'POSTGRES_OPEN',
      errorClass: 'retriable',
      details: { url: `postgres://***@127.0.0.1:${port}/fills` },
    });
    expect((error as Error).message).toBe(
      `cannot open the Postgres store at postgres://***@127.0.0.1:${port}` +
        `/fills: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('refuses a schema name that is not plain', async () => {
    await expect(open({ schema: 'a"; drop' })).rejects.toMatchObject({
      code: 'POSTGRES_SCHEMA_NAME',
      errorClass: 'fatal',
    });
  });
});

// ---------------------------------------------------------------------------

/** A loopback port nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
