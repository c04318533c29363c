import { describe, expect, it } from 'vitest';

import { createHooks } from '../../src/engine/hooks.ts';
import {
  createMetrics,
  scheduleMetrics,
  setChunkCounts,
  statusClass,
  tapMetrics,
} from '../../src/metrics/index.ts';

/** Each series of the registry as `name{labels} value`, sorted. */
async function series(metrics: ReturnType<typeof createMetrics>) {
  const lines: string[] = [];
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    for (const v of metric.values) {
      const name = (v as { metricName?: string }).metricName ?? metric.name;
      const labels = Object.entries(v.labels)
        .map(([k, value]) => `${k}=${value}`)
        .join(',');
      lines.push(`${name}{${labels}} ${v.value}`);
    }
  }
  return lines.sort();
}

function labelsOf(metrics: ReturnType<typeof createMetrics>, name: string) {
  const metric = metrics.registry.getSingleMetric(name) as unknown as {
    labelNames: string[];
  };
  return metric.labelNames.join(',');
}

describe('the metrics registry', () => {
  it('holds exactly the documented metric names and no other', async () => {
    const metrics = createMetrics();
    const names = (await metrics.registry.getMetricsAsJSON())
      .map((m) => `${m.name} ${m.type} [${labelsOf(metrics, m.name)}]`)
      .sort();
    expect(names).toEqual([
      'backfill_chunks gauge [pipeline,state]',
      'backfill_last_success_timestamp_seconds gauge [pipeline]',
      'backfill_records_dead_lettered_total counter [pipeline]',
      'backfill_records_fetched_total counter [pipeline,source]',
      'backfill_records_stored_total counter [pipeline]',
      'backfill_retries_total counter [pipeline,class]',
      'backfill_run_duration_seconds histogram [pipeline]',
      'backfill_runs_total counter [pipeline,outcome]',
      'backfill_schedule_next_run_timestamp_seconds gauge [pipeline]',
      'backfill_schedule_skipped_runs_total counter [pipeline,reason]',
      'backfill_source_requests_total counter [source,status_class]',
    ]);
  });

  it('gives run durations buckets up to a day', async () => {
    const metrics = createMetrics();
    metrics.runDuration.observe({ pipeline: 'p' }, 5400);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'backfill_run_duration_seconds_bucket{le="3600",pipeline="p"} 0',
    );
    expect(text).toContain(
      'backfill_run_duration_seconds_bucket{le="7200",pipeline="p"} 1',
    );
    expect(text).toContain(
      'backfill_run_duration_seconds_bucket{le="86400",pipeline="p"} 1',
    );
  });
});

describe('tapMetrics', () => {
  it('counts what the engine reports through its hooks', async () => {
    const hooks = createHooks();
    const metrics = createMetrics();
    let now = Date.parse('2026-03-01T10:00:00Z');
    tapMetrics(hooks, metrics, { sourceOf: () => 'chain', now: () => now });

    const pipeline = 'daily';
    await hooks.lifecycle.runStart.promise({
      pipeline,
      runId: 'r1',
      chunks: 2,
    });
    const emit = hooks.metrics.call.bind(hooks.metrics);
    emit({ name: 'records_fetched', value: 120, labels: { pipeline } });
    emit({ name: 'records_stored', value: 118, labels: { pipeline } });
    emit({ name: 'records_dead_lettered', value: 2, labels: { pipeline } });
    emit({ name: 'retries', value: 1, labels: { pipeline, class: 'fatal' } });
    emit({
      name: 'retries',
      value: 3,
      labels: { pipeline, class: 'rate_limited' },
    });
    emit({ name: 'chunks', value: 1, labels: { pipeline, state: 'done' } });
    emit({ name: 'chunks', value: 5, labels: { pipeline, state: 'odd' } });
    emit({ name: 'source_requests', value: 7, labels: { pipeline } });
    emit({
      name: 'source_requests',
      value: 2,
      labels: { pipeline, status: '429' },
    });
    now += 90_000;
    await hooks.lifecycle.runEnd.promise({
      pipeline,
      runId: 'r1',
      chunks: 2,
      status: 'succeeded',
      recordsFetched: 120,
      recordsStored: 118,
      recordsDeadLettered: 2,
    });

    const all = await series(metrics);
    expect(all.filter((s) => !s.includes('duration'))).toEqual([
      `backfill_last_success_timestamp_seconds{pipeline=daily} ${
        Date.parse('2026-03-01T10:01:30Z') / 1000
      }`,
      'backfill_records_dead_lettered_total{pipeline=daily} 2',
      'backfill_records_fetched_total{pipeline=daily,source=chain} 120',
      'backfill_records_stored_total{pipeline=daily} 118',
      'backfill_retries_total{pipeline=daily,class=fatal} 1',
      'backfill_retries_total{pipeline=daily,class=rate_limited} 3',
      'backfill_runs_total{pipeline=daily,outcome=succeeded} 1',
      'backfill_source_requests_total{source=chain,status_class=429} 2',
      'backfill_source_requests_total{source=chain,status_class=ok} 7',
    ]);
    expect(all).toContain(
      'backfill_run_duration_seconds_sum{pipeline=daily} 90',
    );
  });

  it('does not set last success for a failed run', async () => {
    const hooks = createHooks();
    const metrics = createMetrics();
    tapMetrics(hooks, metrics, { sourceOf: () => 'glacier' });
    const run = { pipeline: 'g', runId: 'r2', chunks: 1 };
    await hooks.lifecycle.runStart.promise(run);
    await hooks.lifecycle.runEnd.promise({
      ...run,
      status: 'failed',
      recordsFetched: 0,
      recordsStored: 0,
      recordsDeadLettered: 0,
    });

    const all = await series(metrics);
    expect(all.filter((s) => !s.includes('duration'))).toEqual([
      'backfill_runs_total{pipeline=g,outcome=failed} 1',
    ]);
  });
});

describe('setChunkCounts', () => {
  it('sets the chunk gauge of every state from the ledger', async () => {
    const metrics = createMetrics();
    setChunkCounts(metrics, 'p', {
      pending: 3,
      running: 1,
      done: 8,
      failed: 0,
    });

    expect(await series(metrics)).toEqual([
      'backfill_chunks{pipeline=p,state=done} 8',
      'backfill_chunks{pipeline=p,state=failed} 0',
      'backfill_chunks{pipeline=p,state=pending} 3',
      'backfill_chunks{pipeline=p,state=running} 1',
    ]);
  });
});

describe('scheduleMetrics', () => {
  it('keeps the next run time and counts skipped ticks', async () => {
    const metrics = createMetrics();
    const taps = scheduleMetrics(metrics);
    taps.onNextRun('a', Date.parse('2026-03-01T11:00:00Z'));
    taps.onNextRun('b', Date.parse('2026-03-01T12:00:00Z'));
    taps.onNextRun('b', null);
    taps.onSkip('a', 'overlap', 1);
    taps.onSkip('a', 'overlap', 1);
    taps.onSkip('a', 'missed', 4);

    expect(await series(metrics)).toEqual([
      'backfill_schedule_next_run_timestamp_seconds{pipeline=a} 1772362800',
      'backfill_schedule_skipped_runs_total{pipeline=a,reason=missed} 4',
      'backfill_schedule_skipped_runs_total{pipeline=a,reason=overlap} 2',
    ]);
  });
});

describe('statusClass', () => {
  it('folds any status into a closed set', () => {
    const seen = ['200', '204', 404, '429', '503', '5xx', 'error', 'EPIPE'];
    expect(seen.map(statusClass)).toEqual([
      '2xx',
      '2xx',
      '4xx',
      '429',
      '5xx',
      '5xx',
      'error',
      'other',
    ]);
  });
});
