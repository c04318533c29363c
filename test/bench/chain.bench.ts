// The chain source against the loopback Solana node: RPC requests per 1000
// transactions (targets: at most 1,010 unbatched, at most 20 batched) and
// transactions per second with 20 ms of latency at 16 requests in flight
// (target: at least 500, unbatched). The node runs in a process of its
// own, so that its work is not charged to the source; the source's limiter
// is set well above the pace measured. Prints the figures; exit code 1
// when a target is missed.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import type { SourceContext } from '@backfill/plugin-kit';
import { createRateLimiter, silentLogger } from '@backfill/plugin-kit';
import plugin from '@backfill/source-chain';

import type { SolanaRpcStats } from '../servers/solana-rpc/index.ts';

const FIRST = 452_300_000;
const SLOTS = 5000;
/** Runs of the throughput figure; the best counts (the machine is shared). */
const TRIES = 3;
const SERVE = join(import.meta.dirname, '../servers/solana-rpc/serve.ts');

interface Figures {
  transactions: number;
  requests: number;
  seconds: number;
  /** CPU of this process (the source alone: the node runs apart), ms. */
  cpuMs: number;
}

/** The loopback node in a child process; resolves with its URL. */
async function startNode(
  latencyMs: number,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SERVE,
      ...['--latency', String(latencyMs)],
      ...['--first', String(FIRST), '--slots', String(SLOTS)],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(
    child.stdout as NodeJS.ReadableStream,
    'data',
  )) as [Buffer];
  return { url: line.toString().trim(), child };
}

async function measure(latencyMs: number, batch: boolean): Promise<Figures> {
  const node = await startNode(latencyMs);
  try {
    const limiter = createRateLimiter({
      requestsPerSecond: 100_000,
      concurrency: 16,
    });
    const ctx: SourceContext<Record<string, unknown>> = {
      params: {
        programs: ['marginfi'],
        rpc_url: node.url,
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
    const cpu = process.cpuUsage();
    let transactions = 0;
    for await (const b of source.fetch(ctx as never)) {
      transactions += b.records.length;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const stats = (await (
      await fetch(`${node.url}/stats`)
    ).json()) as SolanaRpcStats;
    return { transactions, requests: stats.httpRequests, seconds, cpuMs };
  } finally {
    node.child.kill('SIGTERM');
  }
}

const perThousand = (f: Figures) => (f.requests / f.transactions) * 1000;
const rate = (f: Figures) => f.transactions / f.seconds;
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
const runs: Figures[] = [];
for (let i = 0; i < TRIES; i++) runs.push(await measure(20, false));
const tries = runs.map(rate);
const tps = Math.max(...tries);
checks.push([
  'tx/s, 20 ms latency, 16 in flight, unbatched ' +
    `(best of ${tries.map((t) => t.toFixed(0)).join(', ')})`,
  tps,
  '>= 500',
  tps >= 500,
]);
const slowBatched = await measure(20, true);
checks.push([
  'tx/s, 20 ms latency, 16 in flight, batched',
  rate(slowBatched),
  '(no target)',
  true,
]);

for (const [name, value, target, ok] of checks) {
  process.stdout.write(
    `${ok ? 'ok  ' : 'MISS'} ${name}: ${value.toFixed(1)} (target ${target})\n`,
  );
}
process.stdout.write(`transactions per run: ${plain.transactions}\n`);
const cpuPerThousand = Math.min(
  ...runs.map((f) => (f.cpuMs / f.transactions) * 1000),
);
process.stdout.write(
  `source CPU, unbatched: ${cpuPerThousand.toFixed(0)} ms per 1000 tx ` +
    `(a ceiling of ${(1e6 / cpuPerThousand).toFixed(0)} tx/s on one free core)\n`,
);
process.exitCode = checks.every(([, , , ok]) => ok) ? 0 : 1;
