#!/usr/bin/env node
// `pnpm bench`: runs every test/bench/*.bench.ts in its own process (so that
// peak memory is each benchmark's own) and prints what each reports.
// `pnpm bench NAME` runs the benchmarks whose file name starts with NAME.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts') && name.startsWith(filter))
  .sort();

let failed = 0;
for (const file of files) {
  process.stdout.write(`\n== ${file}\n`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', join(here, file)],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) failed++;
}
process.stdout.write(
  `\n${files.length - failed} benchmarks met their targets, ${failed} did not\n`,
);
process.exitCode = failed === 0 ? 0 : 1;
