// `pnpm demo`: the main job, offline. Starts the loopback Solana node on
// its demo ledger (generated marginfi/Lavarage history ending now, and the
// recorded mainnet transactions moved into the last day), runs
//   backfill run pipelines/daily-sync.yaml
// against it in a child process, as a user would (SOLANA_RPC_URL pointing
// at the node), then test/demo/recorded.yaml for the recorded programs, and
// prints what was stored and how to look at it.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import {
  demoHistory,
  demoTipSlot,
  startSolanaRpcServer,
} from '../servers/solana-rpc/index.ts';
import { slotsOfWindow } from './coverage.ts';
import { gapLine, readReport } from './report.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'packages/cli/bin/backfill.js');
const PIPELINES = ['pipelines/daily-sync.yaml', 'test/demo/recorded.yaml'];
// A fresh folder of its own, never the project's .backfill/ (the demo's
// hours must not count as done for a real run of the daily sync), nor
// another demo's (two may run at once).
const FOLDER = mkdtempSync(join(tmpdir(), 'backfill-demo-'));
const DATABASE = join(FOLDER, '.backfill/backfill.db');

const SAMPLE_QUERY =
  "SELECT json_extract(data, '$.slot') AS slot, key," +
  " json_extract(data, '$.err') AS err FROM chain ORDER BY slot DESC LIMIT 5";

const print = (line = '') => process.stdout.write(`${line}\n`);
const n = (value: number) => value.toLocaleString('en-US');

const tip = demoTipSlot();
const history = demoHistory(tip);
const server = await startSolanaRpcServer({ history });
print(`Loopback Solana RPC node (recorded + generated data): ${server.url}`);
print(`Its tip is slot ${tip}, with a block time of now.`);
print('No Solana endpoint is contacted.\n');

let failed = false;
try {
  for (const pipeline of PIPELINES) {
    print(`$ SOLANA_RPC_URL=${server.url} backfill run ${pipeline}`);
    const code = await backfillRun(join(ROOT, pipeline), server.url);
    print();
    if (code !== 0) {
      print(`backfill run ${pipeline} exited with code ${code}`);
      failed = true;
      break;
    }
  }
} finally {
  await server.close();
}
if (!failed) printReport();
process.exitCode = failed ? 1 : 0;

// ---------------------------------------------------------------------------

function backfillRun(pipeline: string, url: string): Promise<number | null> {
  const child = spawn(process.execPath, [BIN, 'run', pipeline], {
    cwd: FOLDER,
    env: { ...process.env, SOLANA_RPC_URL: url },
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function printReport(): void {
  const report = readReport(DATABASE);
  const main = report.runs.find((run) => run.pipeline === 'daily-sync');
  // The recorded pipeline lists bare addresses; the main job, aliases.
  const programs = Object.entries(report.byProgram)
    .map(([program, count]) =>
      program.length > 20
        ? `${program.slice(0, 13)}... (recorded) ${n(count)}`
        : `${program} ${n(count)}`,
    )
    .join(', ');
  print('== Demo done');
  print(`records stored:  ${n(report.records)} (${programs})`);
  print(
    `                 ${n(report.failed)} of them failed transactions, kept with their err`,
  );
  // A run with gaps succeeds, and its line counts stored and dead-lettered
  // records only: say here what the gaps are.
  print(`gaps:            ${n(report.gaps.length)}`);
  if (report.gaps.length > 0) {
    print('                 signatures the node lists but cannot serve (the');
    print('                 recording has no body for them); a run with gaps');
    print(
      "                 succeeds, each is kept in the ledger's gaps table:",
    );
  }
  for (const gap of report.gaps) print(`                 ${gapLine(gap)}`);
  if (main) {
    const from = Date.parse(main.from) / 1000;
    const to = Date.parse(main.to) / 1000;
    const slots = slotsOfWindow(history, from, to);
    print(
      `slots covered:   ${slots.start} to ${slots.end} ` +
        `(${main.from} to ${main.to}, the last 24 hours)`,
    );
  }
  print(`database:        ${DATABASE}`);
  print('data:            marginfi and leverage rows are generated; the');
  print('                 ComputeBudget rows are real mainnet transactions,');
  print(
    '                 moved into the last day (test/fixtures/solana/README.md)',
  );
  print();
  print('Look at it with the sqlite3 shell:');
  print(`  sqlite3 ${DATABASE} \\`);
  print(`    "${SAMPLE_QUERY}"`);
  print('or, without it, with Node and the driver the tests install:');
  print(
    `  cd ${relative(process.cwd(), join(ROOT, 'test')) || '.'} && node -e ` +
      `"const db = require('better-sqlite3')(process.argv[1]);` +
      ` console.table(db.prepare(process.argv[2]).all())" \\`,
  );
  print(`    ${DATABASE} "${SAMPLE_QUERY}"`);
}
