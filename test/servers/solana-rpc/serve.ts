// Starts the loopback Solana JSON-RPC node and prints its URL, for trying
// the chain source by hand and for the benchmark (which runs the node in a
// process of its own, so the node's work is not counted as the source's):
//   node --import tsx test/servers/solana-rpc/serve.ts [--latency 20]
//     [--demo | --first SLOT --slots COUNT]
// --demo serves the demo's ledger, whose tip has a block time of now;
// --first/--slots serve only generated history over those slots.
// GET /stats answers what the node saw. Stops on SIGINT/SIGTERM.
import { generatedHistory } from '../../fixtures/solana/generate.ts';
import { demoHistory, demoTipSlot } from './demo-history.ts';
import { startSolanaRpcServer } from './server.ts';

const flag = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : undefined;
};
const first = flag('--first');
const history = process.argv.includes('--demo')
  ? demoHistory(demoTipSlot())
  : first !== undefined
    ? generatedHistory({ firstSlot: first, slotCount: flag('--slots') })
    : undefined;
const server = await startSolanaRpcServer({
  latencyMs: flag('--latency') ?? 0,
  history,
});
process.stdout.write(`${server.url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => {
      process.exitCode = 0;
    });
  });
}
