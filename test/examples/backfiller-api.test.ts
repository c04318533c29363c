import { join } from 'node:path';

import {
  BackfillError,
  createBackfiller,
  createFakeClock,
} from '@backfill/core';
import sqlite from '@backfill/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';

import { query, tempFolder } from '../engine/helpers.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';
import localChain from './local-chain.ts';

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder?.remove());

const leverage = {
  source: 'chain' as const,
  chain_params: {
    programs: ['leverage'],
    network: 'mainnet',
    start_block: 0,
    end_block: 9,
  },
};

describe('createBackfiller', () => {
  it('keeps the default jobs and runs a custom job with them', () => {
    const backfiller = createBackfiller({ plugins: [counting, sqlite] });
    backfiller.registerJob({ name: 'mine', source: { use: 'counting' } });
    expect(
      backfiller.jobs().map((j) => [j.name, j.source.use, j.schedule]),
    ).toEqual([
      ['default-chain', 'chain', { intervalMs: 21_600_000 }],
      ['default-glacier', 'glacier', { intervalMs: 21_600_000 }],
      ['mine', 'counting', { intervalMs: 21_600_000 }],
    ]);
  });

  it('loads BACKFILL_JOBS from the environment it is given', async () => {
    const backfiller = createBackfiller({
      plugins: [localChain, sqlite],
      defaultJobs: false,
      env: {
        BACKFILL_JOBS: JSON.stringify([{ name: 'env-job', request: leverage }]),
      },
    });
    expect(await backfiller.loadJobs({ env: true })).toEqual(['env-job']);
    expect(backfiller.jobs()[0]).toMatchObject({
      name: 'env-job',
      window: { kind: 'slot', start: 0, end: 9 },
      source: { use: 'chain', with: { programs: ['leverage'] } },
      origin: { file: '$BACKFILL_JOBS', kind: 'environment' },
    });
  });

  it('refuses a scheduled job whose cron is not one, naming the field', () => {
    const backfiller = createBackfiller({
      plugins: [localChain, sqlite],
      defaultJobs: false,
    });
    let error: unknown;
    try {
      backfiller.scheduleJob({
        name: 'x',
        cron: 'every day',
        request: leverage,
      });
    } catch (e) {
      error = e;
    }
    expect(BackfillError.is(error)).toBe(true);
    expect((error as BackfillError).code).toBe('API_INVALID_JOBS');
    expect((error as BackfillError).diagnostics.map((d) => d.pointer)).toEqual([
      '/jobs/0/schedule',
    ]);
    expect(backfiller.jobs()).toEqual([]);
  });

  it('refuses a second job of the same name', () => {
    const backfiller = createBackfiller({
      plugins: [counting, sqlite],
      defaultJobs: false,
    });
    backfiller.registerJob({ name: 'a', source: { use: 'counting' } });
    expect(() =>
      backfiller.registerJob({ name: 'a', source: { use: 'counting' } }),
    ).toThrow(/a job named "a" is already registered/);
  });

  it('runs a scheduled job when its cron tick comes', async () => {
    folder = tempFolder();
    const clock = createFakeClock('2026-03-01T00:00:00Z');
    const backfiller = createBackfiller({
      plugins: [localChain, sqlite],
      cwd: folder.cwd,
      clock,
      defaultJobs: false,
    });
    backfiller.scheduleJob({
      name: 'nightly',
      cron: '0 2 * * *',
      request: leverage,
    });
    await backfiller.start();
    expect((await backfiller.status()).nextRunAt).toBe(
      '2026-03-01T02:00:00.000Z',
    );

    await clock.advanceTo('2026-03-01T02:00:00Z');
    await backfiller.stop();

    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(query(db, 'SELECT count(*) AS n FROM chain')).toEqual([{ n: 10 }]);
    const status = await backfiller.status();
    expect(status).toMatchObject({
      completed: [{ job: 'nightly', fraction: 1, records: 10 }],
      lastRunAt: '2026-03-01T02:00:00.000Z',
      nextRunAt: null,
    });
  });
});

describe('Backfiller.start after a restart', () => {
  it('counts an interval from the last run in the ledger', async () => {
    folder = tempFolder();
    const job = {
      name: 'every-6h',
      source: { use: 'counting' },
      window: { kind: 'slot' as const, start: 0, end: 9 },
    };
    const clock = createFakeClock('2026-03-01T00:00:00Z');
    const first = createBackfiller({
      plugins: [counting, sqlite],
      cwd: folder.cwd,
      clock,
      defaultJobs: false,
    });
    first.registerJob(job);
    await first.runOnce('every-6h');

    // The program restarts five hours later.
    await clock.advanceTo('2026-03-01T05:00:00Z');
    const again = createBackfiller({
      plugins: [counting, sqlite],
      cwd: folder.cwd,
      clock,
      defaultJobs: false,
    });
    again.registerJob(job);
    await again.start();
    expect((await again.status()).nextRunAt).toBe('2026-03-01T06:00:00.000Z');
    await again.stop();
  });
});
