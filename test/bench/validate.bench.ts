/**
 * `backfill validate` on 100 pipeline files against 1, each call a fresh
 * process as a user runs it. Schema compilation, plugin resolution and
 * plugin loading happen once per call, so 100 files must cost under 1.5
 * times one file. (In one warm process those one-time costs are gone and
 * the ratio is simply the file count: the comparison means something only
 * for whole calls.) Exits 1 when the target is missed.
 */
import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'packages/cli/bin/backfill.js');
const REPETITIONS = 5;
const TARGET = 1.5;

const template = readFileSync(join(root, 'pipelines/daily-sync.yaml'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'backfill-bench-'));
const folder = (count: number) => {
  const dir = join(scratch, `n${count}`);
  mkdirSync(dir);
  for (let i = 0; i < count; i++) {
    const text = template.replace('name: daily-sync', `name: sync-${i}`);
    writeFileSync(join(dir, `sync-${i}.yaml`), text);
  }
  return dir;
};

async function call(dir: string): Promise<number> {
  const started = performance.now();
  const { stdout } = await run(
    process.execPath,
    [bin, 'validate', '--json', dir],
    {
      cwd: scratch,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const elapsed = performance.now() - started;
  const files = JSON.parse(stdout).files as Array<{ valid: boolean }>;
  if (!files.every((f) => f.valid)) throw new Error(`invalid files in ${dir}`);
  return elapsed;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

try {
  const one = folder(1);
  const hundred = folder(100);
  await call(one); // warm the disk cache and tsx's transform cache
  const times = { 1: [] as number[], 100: [] as number[] };
  for (let i = 0; i < REPETITIONS; i++) {
    // Interleaved, so that a busy moment of the machine hits both.
    times[1].push(await call(one));
    times[100].push(await call(hundred));
  }
  const t1 = median(times[1]);
  const t100 = median(times[100]);
  const ratio = t100 / t1;
  process.stdout.write(
    `validate 1 file:    ${t1.toFixed(0)} ms (median of ${REPETITIONS} calls)\n` +
      `validate 100 files: ${t100.toFixed(0)} ms (median of ${REPETITIONS} calls)\n` +
      `ratio: ${ratio.toFixed(2)} (target < ${TARGET})\n`,
  );
  if (ratio >= TARGET) {
    process.stdout.write('FAIL: 100 files cost too much against one\n');
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
