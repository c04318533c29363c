// The chain source against the loopback Solana node: RPC requests per 1000
// transactions (targets: at most 1,010 unbatched, at most 20 batched) and
// transactions per second with 20 ms of latency at 16 requests in flight
// (target: at least 500, unbatched). Prints the figures; exit code 1 when a
// target is missed.

import type { SourceContext } from '@backfill/plugin-kit';
import { createRateLimiter, silentLogger } from '@backfill/plugin-kit';
import plugin from '@backfill/source-chain';

import {
  generatedHistory,
  startSolanaRpcServer,
} from '../servers/solana-rpc/index.ts';

const FIRST = 452_300_000;
const SLOTS = 5000;

interface Figures {
  transactions: number;
  requests: number;
  seconds: number;
}

async function measure(latencyMs: number, batch: boolean): Promise<Figures> {
  const server = await startSolanaRpcServer({
    history: generatedHistory({ firstSlot: FIRST, slotCount: SLOTS }),
    latencyMs,
  });
  const limiter = createRateLimiter({
    requestsPerSecond: 100_000,
    concurrency: 16,
  });
  const ctx: SourceContext<Record<string, unknown>> = {
    params: {
      programs: ['marginfi'],
      rpc_url: server.url,
      requests_per_second: 100_000,
      batch_rpc: batch,
    },
    batchSize: 1000,
    chunk: {
      id: 'bench',
      range: { kind: 'slot', start: FIRST, end: FIRST + SLOTS - 1 },
    },
    cursor: null,
    signal: new AbortController().signal,
    logger: silentLogger,
    limiter: () => limiter,
    countRequest() {},
    settings: {},
  };
  const source = plugin.sources?.[0];
  if (!source) throw new Error('the chain plugin has no source');
  const started = performance.now();
  let transactions = 0;
  for await (const b of source.fetch(ctx as never))
    transactions += b.records.length;
  const seconds = (performance.now() - started) / 1000;
  await server.close();
  return { transactions, requests: server.stats.httpRequests, seconds };
}

const perThousand = (f: Figures) => (f.requests / f.transactions) * 1000;
const checks: Array<[string, number, string, boolean]> = [];

const plain = await measure(0, false);
checks.push([
  'requests per 1000 tx, unbatched',
  perThousand(plain),
  '<= 1010',
  perThousand(plain) <= 1010,
]);
const batched = await measure(0, true);
checks.push([
  'requests per 1000 tx, batched',
  perThousand(batched),
  '<= 20',
  perThousand(batched) <= 20,
]);
const slow = await measure(20, false);
const tps = slow.transactions / slow.seconds;
checks.push([
  'tx/s, 20 ms latency, 16 in flight, unbatched',
  tps,
  '>= 500',
  tps >= 500,
]);
const slowBatched = await measure(20, true);
const tpsBatched = slowBatched.transactions / slowBatched.seconds;
checks.push([
  'tx/s, 20 ms latency, 16 in flight, batched',
  tpsBatched,
  '(no target)',
  true,
]);

for (const [name, value, target, ok] of checks) {
  process.stdout.write(
    `${ok ? 'ok  ' : 'MISS'} ${name}: ${value.toFixed(1)} (target ${target})\n`,
  );
}
process.stdout.write(`transactions per run: ${plain.transactions}\n`);
process.exitCode = checks.every(([, , , ok]) => ok) ? 0 : 1;
