import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sqlite from '../../../../plugins/store-sqlite/src/index.ts';
import counting, {
  resetFailures,
} from '../../../../test/fixtures/plugins/counting-source/index.ts';
import { registryOf, runPipeline } from '../../src/engine/index.ts';
import type { PipelineSpec } from '../../src/model/pipeline.ts';
import { statusOf } from '../../src/status/index.ts';

const registry = registryOf([counting, sqlite]);
let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'backfill-status-'));
  resetFailures();
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function pipeline(name: string, params: Record<string, unknown>) {
  const spec: PipelineSpec = {
    name,
    enabled: true,
    schedule: {},
    window: { kind: 'slot', start: 0, end: 399 },
    source: { use: 'counting', batchSize: 100, with: params },
    transform: [],
    store: { use: 'sqlite', with: {} },
    maxRetries: 0,
    concurrency: 1,
    secrets: [],
    origin: { file: 'test', kind: 'code' },
  };
  return spec;
}

describe('statusOf', () => {
  it('reports a failed run, then the run that finished it', async () => {
    const flaky = pipeline('flaky', { fail_times: 1, fail_class: 'fatal' });
    const options = { registry, cwd, chunkSlots: 200, runId: 'run-1' };
    const first = await runPipeline(flaky, options);
    const second = await runPipeline(flaky, { ...options, runId: 'run-2' });
    expect([first.status, second.status]).toEqual(['failed', 'succeeded']);

    const report = await statusOf([flaky], { registry, cwd });

    expect(report.active).toEqual([]);
    expect(report.failed.map((r) => [r.id, r.status])).toEqual([
      ['run-1', 'failed'],
    ]);
    expect(report.failed[0]).toMatchObject({
      pipeline: 'flaky',
      stale: false,
      recordsFetched: 200,
      recordsStored: 200,
      etaSeconds: null,
      gaps: 0,
      deadLetters: 0,
      error: first.error?.message ?? null,
      // The ledger now: run-2 finished the chunk run-1 failed.
      fraction: 1,
      chunks: { total: 2, pending: 0, running: 0, done: 2, failed: 0 },
    });
    expect(report.completed).toHaveLength(1);
    expect(report.completed[0]).toMatchObject({
      id: 'run-2',
      status: 'succeeded',
      startedAt: second.startedAt,
      endedAt: second.endedAt,
      recordsFetched: 200,
      recordsStored: 200,
      fraction: 1,
    });
    expect(report.pipelines).toEqual([
      {
        name: 'flaky',
        lastRun: { id: 'run-2', status: 'succeeded' },
        lastSuccessAt: second.endedAt,
        chunks: { pending: 0, running: 0, done: 2, failed: 0 },
        gaps: 0,
        deadLetters: 0,
      },
    ]);
  });

  it('reports a pipeline that never ran', async () => {
    const report = await statusOf([pipeline('idle', {})], { registry, cwd });

    expect(report.pipelines).toEqual([
      {
        name: 'idle',
        lastRun: null,
        lastSuccessAt: null,
        chunks: { pending: 0, running: 0, done: 0, failed: 0 },
        gaps: 0,
        deadLetters: 0,
      },
    ]);
    expect([report.active, report.completed, report.failed]).toEqual([
      [],
      [],
      [],
    ]);
  });
});
