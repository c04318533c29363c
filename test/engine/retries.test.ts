import { join } from 'node:path';

import sqlite from '@backfill/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import counting, {
  resetFailures,
} from '../fixtures/plugins/counting-source/index.ts';
import { fakeClock } from './fake-clock.ts';
import { countingPipeline, query, tempFolder } from './helpers.ts';

const registry = registryOf([counting, sqlite]);
let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
  resetFailures();
});
afterEach(() => folder.remove());

/** Runs with a fake clock and random() = 0.5: delays are half-ceilings. */
async function runFailing(params: Record<string, unknown>, maxRetries = 3) {
  const { clock, sleeps } = fakeClock();
  const summary = await runPipeline(
    countingPipeline({ maxRetries, with: params }),
    {
      registry,
      cwd: folder.cwd,
      clock,
      retry: { baseMs: 500, capMs: 30_000, random: () => 0.5 },
    },
  );
  return { summary, sleeps };
}

describe('retries of a failing source', () => {
  it('retries exactly max_retries times with full-jitter delays, then fails', async () => {
    const { summary, sleeps } = await runFailing({ fail_times: 100 });
    // random(0, min(cap, 500 * 2^n)) with random = 0.5.
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(summary.status).toBe('failed');
    expect(summary.error).toEqual({
      code: 'COUNTING_SCRIPTED',
      message: 'scripted failure 4',
    });
    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(query(db, 'SELECT state, attempts, last_error FROM chunks')).toEqual(
      [{ state: 'failed', attempts: 4, last_error: 'scripted failure 4' }],
    );
  });

  it('succeeds when the source recovers within max_retries', async () => {
    const { summary, sleeps } = await runFailing({ fail_times: 2 });
    expect(sleeps).toEqual([250, 500]);
    expect(summary.status).toBe('succeeded');
    expect(summary.recordsStored).toBe(1000);
  });

  it('waits the Retry-After of a rate-limited error', async () => {
    const { sleeps } = await runFailing({
      fail_times: 100,
      fail_class: 'rate_limited',
      retry_after_ms: 7000,
    });
    expect(sleeps).toEqual([7000, 7000, 7000]);
  });

  it('does not retry a fatal error', async () => {
    const { summary, sleeps } = await runFailing({
      fail_times: 100,
      fail_class: 'fatal',
    });
    expect(sleeps).toEqual([]);
    expect(summary.status).toBe('failed');
  });

  it('caps the delay at cap_ms', async () => {
    const { sleeps } = await runFailing({ fail_times: 100 }, 8);
    expect(sleeps).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
  });
});
