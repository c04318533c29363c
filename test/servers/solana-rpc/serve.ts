// Starts the loopback Solana JSON-RPC node and prints its URL, for
// `pnpm demo` and for trying the chain source by hand:
//   node --import tsx test/servers/solana-rpc/serve.ts [--latency 20] [--demo]
// --demo serves the demo's ledger, whose tip has a block time of now.
// Stops on SIGINT/SIGTERM.
import { demoHistory, demoTipSlot } from './demo-history.ts';
import { startSolanaRpcServer } from './server.ts';

const at = process.argv.indexOf('--latency');
const latencyMs = at > 0 ? Number(process.argv[at + 1]) : 0;
const history = process.argv.includes('--demo')
  ? demoHistory(demoTipSlot())
  : undefined;
const server = await startSolanaRpcServer({ latencyMs, history });
process.stdout.write(`${server.url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => {
      process.exitCode = 0;
    });
  });
}
