import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  generatedHistory,
  type SolanaRpcServer,
  startSolanaRpcServer,
} from '../../../test/servers/solana-rpc/index.ts';
import { collect, sourceContext } from './context.ts';

const FIRST = 452_300_000;
let server: SolanaRpcServer;
beforeAll(async () => {
  server = await startSolanaRpcServer({
    history: generatedHistory({ firstSlot: FIRST, slotCount: 100_000 }),
  });
});
afterAll(() => server.close());

describe('chain source at volume', () => {
  it('walks 100,000 slots of marginfi history without a duplicate', async () => {
    const params = {
      programs: ['marginfi'],
      rpc_url: server.url,
      requests_per_second: 100_000,
      batch_rpc: true,
    };
    const range = { kind: 'slot', start: FIRST, end: FIRST + 99_999 } as const;
    const { ctx } = sourceContext(params, range, { batchSize: 2000 });

    let count = 0;
    let lowest = Number.POSITIVE_INFINITY;
    const keys = new Set<string>();
    for (const batch of await collect(ctx)) {
      for (const record of batch.records) {
        keys.add(record.key);
        lowest = Math.min(lowest, record.value.slot as number);
        count++;
      }
    }

    expect(count).toBeGreaterThanOrEqual(50_000);
    expect(keys.size).toBe(count);
    expect(server.stats.byMethod.getTransaction).toBe(count);
    expect(server.stats.byMethod.getSignaturesForAddress).toBe(
      Math.ceil(count / 1000) + 1,
    );
    expect(lowest).toBeLessThan(FIRST + 10);
  }, 600_000);
});
