import { afterEach, describe, expect, it } from 'vitest';

import {
  generatedHistory,
  LEVERAGE,
  MARGINFI,
  mainnetTimeOf,
  recordedHistory,
  type SolanaRpcServer,
  startSolanaRpcServer,
} from '../../../test/servers/solana-rpc/index.ts';
import { resolveEndpoint } from '../src/endpoint.ts';
import { collect, sourceContext } from './context.ts';

let server: SolanaRpcServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const FIRST = 452_300_000;
const range = { kind: 'slot', start: FIRST + 100, end: FIRST + 399 } as const;
const history = () => generatedHistory({ slotCount: 500 });
const keysOf = (batches: Awaited<ReturnType<typeof collect>>) =>
  batches.flatMap((b) => b.records.map((r) => r.key));

describe('chain source against the endpoint', () => {
  it('prefers rpc_url, then SOLANA_RPC_URL, then the network', () => {
    const env = { SOLANA_RPC_URL: 'http://127.0.0.1:9/env' };
    expect(resolveEndpoint({ rpc_url: 'http://127.0.0.1:9/p' }, env)).toBe(
      'http://127.0.0.1:9/p',
    );
    expect(resolveEndpoint({ network: 'devnet' }, env)).toBe(
      'http://127.0.0.1:9/env',
    );
    expect(resolveEndpoint({ network: 'devnet' }, {})).toBe(
      'https://api.devnet.solana.com',
    );
    expect(resolveEndpoint({}, {})).toBe('https://api.mainnet-beta.solana.com');
  });

  it('waits out a 429 with Retry-After and loses nothing', async () => {
    server = await startSolanaRpcServer({ history: history() });
    const params = {
      programs: [MARGINFI],
      rpc_url: server.url,
      requests_per_second: 5000,
    };
    const clean = keysOf(await collect(sourceContext(params, range).ctx));
    await server.close();

    server = await startSolanaRpcServer({
      history: history(),
      rateLimit: { requests: [2, 5], retryAfterSeconds: 1 },
    });
    const { ctx, log } = sourceContext(
      { ...params, rpc_url: server.url },
      range,
    );
    expect(keysOf(await collect(ctx))).toEqual(clean);
    expect(server.stats.rateLimited).toBe(2);
    expect(log.requests['4xx']).toBe(2);
  });

  it('batches getTransaction calls when batch_rpc is on', async () => {
    server = await startSolanaRpcServer({ history: history() });
    const params = {
      programs: ['marginfi'],
      rpc_url: server.url,
      requests_per_second: 5000,
      batch_rpc: true,
    };
    const keys = keysOf(await collect(sourceContext(params, range).ctx));
    expect(server.stats.byMethod.getTransaction).toBe(keys.length);
    expect(server.stats.batches).toBe(Math.ceil(keys.length / 100));
  });

  it('resends a batch whose 200 reply holds 429 errors', async () => {
    server = await startSolanaRpcServer({
      history: history(),
      // The fourth: after getSlot, getBlock (the anchor) and the page.
      rateLimit: { requests: [4], inBatchReply: true },
    });
    const params = {
      programs: ['marginfi'],
      rpc_url: server.url,
      requests_per_second: 5000,
      batch_rpc: true,
    };
    const small = {
      kind: 'slot',
      start: FIRST + 100,
      end: FIRST + 199,
    } as const;
    const { ctx, log } = sourceContext(params, small);
    const keys = keysOf(await collect(ctx));
    expect(keys.length).toBeLessThanOrEqual(100);
    expect(server.stats.rateLimited).toBe(1);
    expect(log.requests).toEqual({ '2xx': server.stats.httpRequests });
    expect(server.stats.byMethod.getTransaction).toBe(keys.length * 2);
  });

  it('turns a time window into slots across skipped slots', async () => {
    for (const skippedSlotStyle of [-32004, -32007, -32009, 'null'] as const) {
      server = await startSolanaRpcServer({
        history: history(),
        skippedSlotStyle,
      });
      const from = new Date(mainnetTimeOf(FIRST + 100) * 1000).toISOString();
      const to = new Date(mainnetTimeOf(FIRST + 400) * 1000).toISOString();
      const params = {
        programs: ['leverage'],
        rpc_url: server.url,
        requests_per_second: 5000,
      };
      const batches = await collect(
        sourceContext(params, { kind: 'time', from, to }).ctx,
      );
      const slots = batches.flatMap((b) => b.records.map((r) => r.value.slot));
      const times = batches.flatMap((b) =>
        b.records.map((r) => mainnetTimeOf(r.value.slot as number)),
      );
      expect(slots.length).toBeGreaterThan(0);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(
        Date.parse(from) / 1000,
      );
      expect(Math.max(...times)).toBeLessThan(Date.parse(to) / 1000);
      expect(batches[0]?.records[0]?.key.startsWith(LEVERAGE)).toBe(true);
      await server.close();
      server = undefined;
    }
  });

  it('reads legacy, v0 with lookup tables and v1 recorded transactions', async () => {
    server = await startSolanaRpcServer({ history: recordedHistory() });
    const params = {
      programs: ['ComputeBudget111111111111111111111111111111'],
      rpc_url: server.url,
    };
    const batches = await collect(
      sourceContext(params, { kind: 'slot', start: 0, end: 500_000_000 }).ctx,
    );
    const records = batches.flatMap((b) => b.records);
    expect(records.map((r) => [r.value.slot, r.value.version])).toEqual([
      [445553558, 0],
      [445553558, 0],
      [445553558, 'legacy'],
      [328883613, 0],
    ]);
    const alt = records[3]?.value;
    expect(alt?.account_keys).toHaveLength(15);
    expect((alt?.account_keys as string[] | undefined)?.slice(13)).toEqual([
      'DttWaMuVvTiduZRnguLF7jNxTgiMBZ1hyAumKUiL2KRL',
      'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA',
    ]);
    expect(alt?.block_time).toBe(1742826525);
    expect(alt?.fee).toBe(32510);

    const v1 = await collect(
      sourceContext(
        {
          ...params,
          programs: ['RPTWwELXAY4KC9ZPHhaxp7Sq1hHtU3HNEgLbSegCcWf'],
        },
        { kind: 'slot', start: 0, end: 500_000_000 },
      ).ctx,
    );
    expect(v1.flatMap((b) => b.records.map((r) => r.value.version))).toEqual([
      1,
    ]);
  });

  it('records a recorded signature without a body as a gap', async () => {
    server = await startSolanaRpcServer({ history: recordedHistory() });
    const params = {
      programs: ['TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'],
      rpc_url: server.url,
    };
    const batches = await collect(
      sourceContext(params, { kind: 'slot', start: 452414371, end: 452414371 })
        .ctx,
    );
    expect(batches.flatMap((b) => b.records)).toEqual([]);
    expect(batches.flatMap((b) => (b.gaps ?? []).map((g) => g.ref))).toEqual([
      'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA:2V1uS3u1Snaa9htkfh59BcwVZXEfP62pWNLaqwisCy7qr4nU8FnvHSk3gWLBgBwCPnV6Zg3rFHE3azqrTD2z2odQ',
      'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA:3q5cuo8Ww1AECWS73aFkpcdoxsPLMLzKxxe8ErmJKGAEYVgw4WxGgVJwifWNp7UycLhNqQFUFhgjxkywiytEJvtg',
    ]);
  });

  it('snapshots program accounts with data_size and memcmp filters', async () => {
    server = await startSolanaRpcServer({ history: history() });
    const params = {
      programs: ['marginfi'],
      rpc_url: server.url,
      mode: 'accounts' as const,
      data_size: 1864,
      memcmp: [{ offset: 0, bytes: 'QqyrCavBKFT' }],
    };
    const batches = await collect(
      sourceContext(params, range, { batchSize: 8 }).ctx,
    );
    const records = batches.flatMap((b) => b.records);
    expect(records).toHaveLength(20);
    expect(records.every((r) => r.value.data_size === 1864)).toBe(true);
    expect(records[0]?.key.startsWith(`${MARGINFI}:`)).toBe(true);
    expect(batches.map((b) => b.cursor)).toEqual([
      { mode: 'accounts', program: 0, offset: 8 },
      { mode: 'accounts', program: 0, offset: 16 },
      { mode: 'accounts', program: 1, offset: 0 },
    ]);
  });
});
