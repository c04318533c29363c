import { afterEach, describe, expect, it } from 'vitest';

import {
  generatedHistory,
  MARGINFI,
  type SolanaRpcServer,
  startSolanaRpcServer,
} from '../../../test/servers/solana-rpc/index.ts';
import { collect, sourceContext } from './context.ts';

let server: SolanaRpcServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const FIRST = 452_300_000;
const slots = (start: number, end: number) =>
  ({ kind: 'slot', start, end }) as const;

describe('chain source walk', () => {
  it('fetches every transaction of a program in a slot range', async () => {
    const history = generatedHistory({ slotCount: 3000 });
    server = await startSolanaRpcServer({ history });
    const params = {
      programs: ['marginfi'],
      rpc_url: server.url,
      requests_per_second: 5000,
    };
    const range = slots(FIRST + 500, FIRST + 1499);
    const { ctx, log } = sourceContext(params, range, { batchSize: 50 });

    const batches = await collect(ctx);

    const expected = [...history.activeSlots(MARGINFI, FIRST + 1499)]
      .filter((slot) => slot >= FIRST + 500)
      .flatMap((slot) => history.slotSignatures(MARGINFI, slot))
      .map((entry) => `${MARGINFI}:${entry.signature}`);
    const keys = batches.flatMap((b) => b.records.map((r) => r.key));
    expect(keys).toEqual(expected);
    expect(batches.slice(0, -1).every((b) => b.records.length === 50)).toBe(
      true,
    );
    expect(server.stats.byMethod.getTransaction).toBe(expected.length);
    expect(log.requests).toEqual({ '2xx': server.stats.httpRequests });
  });
});
