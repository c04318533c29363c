import { afterEach, describe, expect, it } from 'vitest';

import {
  generatedHistory,
  mainnetTimeOf,
  type SolanaRpcServer,
  startSolanaRpcServer,
} from '../../../test/servers/solana-rpc/index.ts';
import { collect, sourceContext } from './context.ts';

const FIRST = 452_300_000;
let server: SolanaRpcServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const at = (slot: number) => new Date(mainnetTimeOf(slot) * 1000).toISOString();

describe('block times across the chunks of a process', () => {
  it('are asked for once: a neighbouring chunk reuses the probes', async () => {
    server = await startSolanaRpcServer({
      history: generatedHistory({ slotCount: 20_000 }),
    });
    const params = {
      programs: ['leverage'],
      rpc_url: server.url,
      requests_per_second: 5000,
    };
    const probes = async (from: number, to: number) => {
      const before = server?.stats.byMethod.getBlockTime ?? 0;
      const range = { kind: 'time', from: at(from), to: at(to) } as const;
      await collect(sourceContext(params, range).ctx);
      return (server?.stats.byMethod.getBlockTime ?? 0) - before;
    };

    const first = await probes(FIRST + 10_000, FIRST + 11_000);
    const next = await probes(FIRST + 11_000, FIRST + 12_000);
    const again = await probes(FIRST + 10_000, FIRST + 11_000);
    // Two binary searches over 20,000 slots, the second from the first's
    // answer, and look-aheads past skipped slots.
    expect(first).toBe(27);
    // Its start is the first chunk's end: only its own end is searched.
    expect(next).toBe(13);
    expect(again).toBe(0);
  });
});
