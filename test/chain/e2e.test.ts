// `backfill run` with the chain source, in a child process as a user runs
// it, against the loopback Solana node (recorded mainnet data beside
// generated marginfi/Lavarage history); the SQLite file is then read.
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { query, tableContent, tempFolder } from '../engine/helpers.ts';
import {
  defaultHistory,
  LEVERAGE,
  MARGINFI,
  type SolanaRpcServer,
  startSolanaRpcServer,
} from '../servers/solana-rpc/index.ts';
import {
  exitOf,
  grown,
  runToEnd,
  spawnRun,
  started,
  storedRows,
  writeChainPipeline,
} from './cli.ts';
import { expectedRows } from './ledger.ts';

const TOKEN = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
// 300 slots of generated history around the recorded mainnet slot
// 452414371, whose two Token-program transactions have no recorded body.
const START = 452_414_200;
const END = 452_414_499;
const PROGRAMS = [MARGINFI, LEVERAGE, TOKEN];
const KILLS = 6;

const history = defaultHistory();
const expected = expectedRows(history, PROGRAMS, START, END);
const folders = [tempFolder(), tempFolder()];
const [clean, killed] = folders as [
  ReturnType<typeof tempFolder>,
  ReturnType<typeof tempFolder>,
];
const db = (folder: { cwd: string }) => join(folder.cwd, '.backfill/chain.db');
let server: SolanaRpcServer;
let cleanRun: Awaited<ReturnType<typeof runToEnd>>;

beforeAll(async () => {
  server = await startSolanaRpcServer({ history });
  for (const folder of folders) {
    writeChainPipeline(folder.cwd, {
      url: server.url,
      programs: ['marginfi', 'leverage', TOKEN],
      start: START,
      end: END,
    });
  }
  cleanRun = await runToEnd(clean.cwd);
  expect(cleanRun.code, cleanRun.stderr).toBe(0);
});
afterAll(async () => {
  await server?.close();
  for (const folder of folders) folder.remove();
});

describe('backfill run with the chain source', () => {
  it('says how many gaps it recorded in its result line', () => {
    expect(cleanRun.stdout).toBe(
      'chain-e2e: succeeded, 349 records stored, 0 dead-lettered; ' +
        'chunks 1 done, 0 failed, 0 pending, 0 already done; ' +
        '2 gaps recorded (backfill status lists them)\n',
    );
  });

  it('stores exactly the transactions the node holds for the range', () => {
    const stored = tableContent(db(clean), 'chain');
    expect(expected.keys.size).toBe(349);
    expect(new Set(stored.keys())).toEqual(expected.keys);
    const slots = [...stored.values()].map((d) => JSON.parse(d).slot);
    expect(Math.min(...slots)).toBeGreaterThanOrEqual(START);
    expect(Math.max(...slots)).toBeLessThanOrEqual(END);
    expect(query(db(clean), 'SELECT state, records FROM chunks')).toEqual([
      { state: 'done', records: 349 },
    ]);
  });

  it('shows the transactions the node has no body for as gaps', () => {
    const gaps = query<{ ref: string; reason: string }>(
      db(clean),
      'SELECT ref, reason FROM gaps ORDER BY ref',
    );
    expect(gaps).toEqual([
      {
        ref:
          `${TOKEN}:2V1uS3u1Snaa9htkfh59BcwVZXEfP62pWNLaqwisCy7qr4nU8Fnv` +
          'HSk3gWLBgBwCPnV6Zg3rFHE3azqrTD2z2odQ',
        reason: 'getTransaction returned null 4 times (slot 452414371)',
      },
      {
        ref:
          `${TOKEN}:3q5cuo8Ww1AECWS73aFkpcdoxsPLMLzKxxe8ErmJKGAEYVgw4WxG` +
          'gVJwifWNp7UycLhNqQFUFhgjxkywiytEJvtg',
        reason: 'getTransaction returned null 4 times (slot 452414371)',
      },
    ]);
    expect(new Set(gaps.map((g) => g.ref))).toEqual(expected.gaps);
  });

  it('keeps failed transactions, with their err', () => {
    const failed = query<{ key: string; err: string }>(
      db(clean),
      `SELECT key, json_extract(data, '$.err') AS err FROM chain
        WHERE json_extract(data, '$.err') IS NOT NULL ORDER BY key`,
    );
    expect(failed).toHaveLength(37);
    expect(
      new Map(failed.map((row) => [row.key, JSON.parse(row.err)])),
    ).toEqual(expected.failed);
  });
});

describe('a chain run killed with SIGKILL at random instants', () => {
  it('ends, after a rerun, identical to one clean run', {
    timeout: 110_000,
  }, async () => {
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100_000);
    let state = seed;
    const random = () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state / 2 ** 32;
    };
    let killedMidRun = 0;
    for (let i = 0; i < KILLS; i++) {
      const before = storedRows(db(killed));
      const child = spawnRun(killed.cwd);
      child.stdout?.resume();
      const exit = exitOf(child);
      await started(child);
      // Every other run dies soon after a batch of its own went in, so that
      // resumes start from cursors inside the walk; the others while the
      // walk pages down to the range, before any batch.
      if (i % 2 === 1) await grown(db(killed), before, child);
      const wait = Math.floor(random() * (i % 2 ? 150 : 500));
      await new Promise((r) => setTimeout(r, wait));
      if (child.kill('SIGKILL')) killedMidRun++;
      await exit;
    }
    const last = await runToEnd(killed.cwd);
    expect(last.code, `seed ${seed}: ${last.stderr}`).toBe(0);

    const got = tableContent(db(killed), 'chain');
    expect(got, `seed ${seed}`).toEqual(tableContent(db(clean), 'chain'));
    expect(new Set(got.keys())).toEqual(expected.keys);
    // Each record counted once: the cursor was committed with its batch.
    expect(
      query(
        db(killed),
        'SELECT sum(records) AS n, min(state) AS s FROM chunks',
      ),
    ).toEqual([{ n: expected.keys.size, s: 'done' }]);
    // Each gap recorded once, however many runs walked past it.
    const gaps = query<{ ref: string }>(db(killed), 'SELECT ref FROM gaps');
    expect(gaps.map((g) => g.ref).sort()).toEqual([...expected.gaps].sort());
    expect(killedMidRun, `seed ${seed}`).toBeGreaterThanOrEqual(1);
  });
});
