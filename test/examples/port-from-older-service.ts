// How code written for the older backfill service ports to @backfill/core:
// create a backfiller with a store, a logger and metrics, load the job
// list, register a custom and a scheduled job, run, read status and
// progress. Run it: node --import tsx port-from-older-service.ts <folder>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  createBackfiller,
  createFakeClock,
  createMetrics,
  type JobResult,
} from '@backfill/core';
import { silentLogger } from '@backfill/plugin-kit';
import sqlite from '@backfill/store-sqlite';

import counting from '../fixtures/plugins/counting-source/index.ts';
import localChain from './local-chain.ts';

/** The older service's job file, unchanged. */
const JOBS = {
  default_interval: '6h',
  jobs: [
    {
      name: 'marginfi-history',
      request: {
        source: 'chain',
        batch_size: 50,
        chain_params: {
          programs: ['marginfi'],
          network: 'mainnet',
          start_block: 0,
          end_block: 199,
        },
      },
      max_retries: 3,
    },
  ],
};

/** Runs the example in `cwd`; every line of its report goes to `print`. */
export async function main(
  cwd: string,
  print: (line: string) => void,
): Promise<void> {
  writeFileSync(join(cwd, 'jobs.json'), JSON.stringify(JOBS, null, 2));

  // Old: NewBackfiller(store, logger, metrics). The clock is fake so that
  // the schedule below is the same on every run of the example.
  const backfiller = createBackfiller({
    plugins: [localChain, counting, sqlite],
    store: { use: 'sqlite', with: { path: 'history.db' } },
    logger: silentLogger,
    metrics: createMetrics(),
    cwd,
    clock: createFakeClock('2026-03-01T00:00:00Z'),
    // The built-in chain and glacier jobs reach the network: left out.
    defaultJobs: false,
  });

  // Old: LoadJobsFromFile / LoadJobsFromEnv.
  await backfiller.loadJobs({ file: join(cwd, 'jobs.json'), env: true });
  // Old: RegisterCustomJob: runs with the other jobs.
  backfiller.registerJob({
    name: 'counting',
    source: { use: 'counting', batchSize: 100 },
    window: { kind: 'slot', start: 0, end: 299 },
  });
  // Old: RegisterScheduledJob(name, cron, request).
  backfiller.scheduleJob({
    name: 'nightly-leverage',
    cron: '0 2 * * *',
    request: {
      source: 'chain',
      chain_params: {
        programs: ['leverage'],
        network: 'mainnet',
        start_block: 1000,
        end_block: 1099,
      },
    },
  });
  await backfiller.start();

  // Old: RunLatest, then RunOnce of a job that is already done.
  for (const result of await backfiller.runLatest()) print(line(result));
  print(`again: ${line(await backfiller.runOnce('nightly-leverage'))}`);

  // Old: GetStatus and GetJobProgress.
  const status = await backfiller.status();
  print(
    `status: ${status.active.length} active, ` +
      `${status.completed.length} completed, ${status.failed.length} ` +
      `failed, ${status.scheduled} scheduled, last run ` +
      `${status.lastRunAt}, next run ${status.nextRunAt}`,
  );
  const progress = await backfiller.progress('counting');
  print(
    `progress of counting: ${Math.round((progress?.fraction ?? 0) * 100)}%, ` +
      `${progress?.records} records, eta ${progress?.etaSeconds}`,
  );
  await backfiller.stop();
}

function line(result: JobResult): string {
  if (!('runId' in result)) {
    return `${result.pipeline}: failed (${result.error.code})`;
  }
  return (
    `${result.pipeline}: ${result.status}, ` +
    `${result.recordsStored} records stored, ` +
    `${result.chunks.skipped} chunks already done`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main(process.argv[2] ?? process.cwd(), (l) => console.log(l));
}
