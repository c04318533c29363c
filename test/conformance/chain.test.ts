import { createRateLimiter, silentLogger } from '@backfill/plugin-kit';
import { sourceChecks } from '@backfill/plugin-kit/conformance';
import chainPlugin, { type ChainParams } from '@backfill/source-chain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  generatedHistory,
  type SolanaRpcServer,
  startSolanaRpcServer,
} from '../servers/solana-rpc/index.ts';
import { closedPortUrl } from './closed-port.ts';

// A short ledger: a few dozen marginfi and Lavarage transactions, so that
// every check walks the whole chunk in well under a second.
const FIRST_SLOT = 300_000_000;
const SLOTS = 40;

let rpc: SolanaRpcServer;
let limited: SolanaRpcServer;
let nowhere: string;
beforeAll(async () => {
  const history = generatedHistory({ firstSlot: FIRST_SLOT, slotCount: SLOTS });
  rpc = await startSolanaRpcServer({ history });
  // Every request answers 429: the source's own retries run out.
  limited = await startSolanaRpcServer({
    history,
    rateLimit: {
      requests: Array.from({ length: 50 }, (_, i) => i + 1),
      retryAfterSeconds: 0,
    },
  });
  nowhere = await closedPortUrl();
});
afterAll(async () => {
  await rpc.close();
  await limited.close();
});

const params = (url: string): ChainParams => ({
  programs: ['marginfi', 'leverage'],
  rpc_url: url,
  requests_per_second: 1000,
});

describe('the chain source passes the conformance suite', () => {
  const checks = sourceChecks<ChainParams>({
    source: chainPlugin.sources[0]!,
    chunk: {
      id: 'slots',
      range: { kind: 'slot', start: FIRST_SLOT, end: FIRST_SLOT + SLOTS - 1 },
    },
    batchSize: 10,
    get params() {
      return params(rpc.url);
    },
    get failures() {
      return [
        {
          name: 'an endpoint nobody listens on',
          params: params(nowhere),
          errorClass: 'retriable' as const,
          code: 'CHAIN_RPC_UNREACHABLE',
        },
        {
          name: 'an endpoint answering 429 to everything',
          params: params(limited.url),
          errorClass: 'rate_limited' as const,
          code: 'CHAIN_RPC_RATE_LIMITED',
        },
      ];
    },
  });
  for (const check of checks) it(check.name, check.run);
});

describe('an unreachable endpoint', () => {
  it('is named once, with what to check', async () => {
    const source = chainPlugin.sources[0]!;
    let caught: unknown;
    try {
      for await (const _ of source.fetch({
        params: params(nowhere),
        batchSize: 10,
        chunk: {
          id: 'slots',
          range: { kind: 'slot', start: FIRST_SLOT, end: FIRST_SLOT + 9 },
        },
        cursor: null,
        signal: new AbortController().signal,
        logger: silentLogger,
        limiter: () => createRateLimiter({ requestsPerSecond: 1000 }),
        countRequest() {},
        settings: {},
      })) {
        // nothing comes
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    const port = new URL(nowhere).port;
    expect((caught as Error).message).toBe(
      `the RPC endpoint is unreachable: connect ECONNREFUSED 127.0.0.1:${port}; ` +
        'check rpc_url (or SOLANA_RPC_URL) and the network',
    );
  });
});
