import { hostname } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonProject } from '../../packages/core/src/daemon/index.ts';
import { Daemon } from '../../packages/core/src/daemon/index.ts';
import type { PipelineSpec } from '../../packages/core/src/model/pipeline.ts';
import { createFakeClock } from '../../packages/core/src/scheduler/index.ts';
import { resetFailures } from '../fixtures/plugins/counting-source/index.ts';
import {
  countingPipeline,
  get,
  registry,
  scrape,
  tempFolder,
} from './helpers.ts';

const MINUTE = 60_000;
let folder: ReturnType<typeof tempFolder>;
let daemon: Daemon | null = null;

afterEach(async () => {
  await daemon?.stop();
  daemon = null;
  folder.remove();
  resetFailures();
});

function startDaemon(
  pipelines: () => PipelineSpec[],
  start: string | number,
  catchUp: 'none' | 'latest' = 'none',
) {
  folder ??= tempFolder();
  const clock = createFakeClock(start);
  daemon = new Daemon({
    load: async (): Promise<DaemonProject> => ({
      pipelines: pipelines(),
      registry,
    }),
    cwd: folder.cwd,
    port: 0,
    clock,
    catchUp,
    shutdownTimeoutMs: 20_000,
    runOptions: { chunkSlots: 200, stopDeadlineMs: 50 },
  });
  return { daemon, clock };
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

describe('backfill start (the daemon)', () => {
  it('runs a pipeline on its cron and serves what it did at /metrics', async () => {
    folder = tempFolder();
    const { daemon, clock } = startDaemon(
      () => [countingPipeline('quarter', { cron: '*/15 * * * *' })],
      '2026-03-01T10:07:00Z',
    );
    const { port } = await daemon.start();

    await clock.advanceTo('2026-03-01T10:15:00Z');
    await daemon.idle();
    const series = await scrape(port);

    expect(
      Object.fromEntries(
        [...series].filter(([name]) => !name.includes('duration')),
      ),
    ).toEqual({
      'backfill_runs_total{outcome=succeeded,pipeline=quarter}': 1,
      'backfill_records_fetched_total{pipeline=quarter,source=counting}': 400,
      'backfill_records_stored_total{pipeline=quarter}': 400,
      'backfill_chunks{pipeline=quarter,state=pending}': 0,
      'backfill_chunks{pipeline=quarter,state=running}': 0,
      'backfill_chunks{pipeline=quarter,state=done}': 2,
      'backfill_chunks{pipeline=quarter,state=failed}': 0,
      'backfill_last_success_timestamp_seconds{pipeline=quarter}': series.get(
        'backfill_last_success_timestamp_seconds{pipeline=quarter}',
      ),
      'backfill_schedule_next_run_timestamp_seconds{pipeline=quarter}': seconds(
        '2026-03-01T10:30:00Z',
      ),
      'backfill_source_requests_total{source=counting,status_class=2xx}': 4,
    });
    // The parser keeps a histogram's buckets only: one run observed.
    expect(series.get('backfill_run_duration_seconds{}')).toBe(1);
  });

  it('after a restart serves the last success the ledger holds', async () => {
    folder = tempFolder();
    const pipelines = () => [
      countingPipeline('quarter', { cron: '*/15 * * * *' }),
    ];
    const first = startDaemon(pipelines, '2026-03-01T10:07:00Z');
    await first.daemon.start();
    await first.clock.advanceTo('2026-03-01T10:15:00Z');
    await first.daemon.idle();
    const [run] = (await first.daemon.status()).completed;
    await first.daemon.stop();

    const second = startDaemon(pipelines, '2026-03-01T11:00:00Z');
    const { port } = await second.daemon.start();
    const series = await scrape(port);
    expect(
      series.get('backfill_last_success_timestamp_seconds{pipeline=quarter}'),
    ).toBe(Math.floor(seconds(run!.endedAt!)));
    expect(run!.endedAt).toBe('2026-03-01T10:15:00.000Z');
  });

  it('answers /healthz, /status and unknown paths', async () => {
    folder = tempFolder();
    const { daemon, clock } = startDaemon(
      () => [countingPipeline('quarter', { cron: '*/15 * * * *' })],
      '2026-03-01T10:07:00Z',
    );
    const { port } = await daemon.start();
    await clock.advanceTo('2026-03-01T10:15:00Z');
    await daemon.idle();

    expect(await get(port, '/healthz')).toMatchObject({
      status: 200,
      text: '{\n  "status": "ok"\n}\n',
    });
    expect((await get(port, '/nope')).status).toBe(404);

    const status = JSON.parse((await get(port, '/status')).text);
    expect(status.daemon).toMatchObject({ catchUp: 'none', port });
    expect(status.pipelines).toEqual([
      {
        name: 'quarter',
        schedule: 'cron */15 * * * * (UTC)',
        nextRunAt: '2026-03-01T10:30:00.000Z',
        running: false,
        lastRun: { id: status.completed[0].id, status: 'succeeded' },
        lastSuccessAt: status.completed[0].endedAt,
        chunks: { pending: 0, running: 0, done: 2, failed: 0 },
        gaps: 0,
        deadLetters: 0,
      },
    ]);
    expect(status.completed).toHaveLength(1);
    expect(status.completed[0]).toMatchObject({
      pipeline: 'quarter',
      status: 'succeeded',
      fraction: 1,
      recordsFetched: 400,
      recordsStored: 400,
    });
  });

  it('skips and counts a tick while the pipeline still runs', async () => {
    folder = tempFolder();
    const { daemon, clock } = startDaemon(
      () => [
        countingPipeline('stuck', { cron: '*/15 * * * *' }, { hang: true }),
      ],
      '2026-03-01T10:00:00Z',
    );
    const { port } = await daemon.start();

    await clock.advance(15 * MINUTE);
    await clock.advance(15 * MINUTE);
    await clock.advance(15 * MINUTE);
    const series = await scrape(port);
    expect(
      series.get(
        'backfill_schedule_skipped_runs_total{pipeline=stuck,reason=overlap}',
      ),
    ).toBe(2);
    const status = JSON.parse((await get(port, '/status')).text);
    expect(status.pipelines[0].running).toBe(true);
    expect(status.active.map((r: { status: string }) => r.status)).toEqual([
      'running',
    ]);

    // SIGTERM's path: the hanging run is stopped and closed as interrupted.
    expect(await daemon.stop()).toEqual({ clean: true, abandoned: [] });
  });

  it('takes over the lease of a run that died, instead of skipping forever', async () => {
    folder = tempFolder();
    const { daemon, clock } = startDaemon(
      () => [countingPipeline('quarter', { cron: '*/15 * * * *' })],
      '2026-03-01T10:07:00Z',
    );
    const { port } = await daemon.start();
    await clock.advanceTo('2026-03-01T10:15:00Z');
    await daemon.idle();
    // A run killed with SIGKILL leaves its lease: a pid gone on this host.
    const db = new Database(join(folder.cwd, '.backfill/backfill.db'));
    db.prepare(
      `INSERT INTO leases VALUES ('quarter', ?, ?, 999999999, 'dead',
         '2026-03-01T10:20:00.000Z', '2026-03-01T10:20:00.000Z')`,
    ).run(`${hostname()}:999999999:dead`, hostname());
    db.close();

    await clock.advanceTo('2026-03-01T10:30:00Z');
    await daemon.idle();
    const series = await scrape(port);
    expect(
      series.get('backfill_runs_total{outcome=succeeded,pipeline=quarter}'),
    ).toBe(2);
    expect(
      series.get(
        'backfill_schedule_skipped_runs_total{pipeline=quarter,reason=lease_held}',
      ),
    ).toBeUndefined();
  });

  it('with catch-up latest, runs once at start after downtime', async () => {
    folder = tempFolder();
    const pipelines = () => [
      countingPipeline('quarter', { cron: '*/15 * * * *' }),
    ];
    // A first daemon runs at 10:15, then goes down.
    const first = startDaemon(pipelines, '2026-03-01T10:07:00Z');
    await first.daemon.start();
    await first.clock.advanceTo('2026-03-01T10:15:00Z');
    await first.daemon.idle();
    await first.daemon.stop();

    // Back at 11:50: 10:30 to 11:45, six ticks, were missed.
    const later = startDaemon(pipelines, '2026-03-01T11:50:00Z', 'latest');
    const { port } = await later.daemon.start();
    await later.daemon.idle();
    const series = await scrape(port);

    expect(
      series.get('backfill_runs_total{outcome=succeeded,pipeline=quarter}'),
    ).toBe(1);
    expect(
      series.get(
        'backfill_schedule_skipped_runs_total{pipeline=quarter,reason=missed}',
      ),
    ).toBe(5);
    expect(
      series.get('backfill_last_success_timestamp_seconds{pipeline=quarter}'),
    ).toBe(seconds('2026-03-01T11:50:00Z'));
    expect(
      series.get(
        'backfill_schedule_next_run_timestamp_seconds{pipeline=quarter}',
      ),
    ).toBe(seconds('2026-03-01T12:00:00Z'));
  });

  it('on reload takes the new pipelines, and keeps the old on error', async () => {
    folder = tempFolder();
    let version = 1;
    const { daemon } = startDaemon(() => {
      if (version === 3) throw new Error('pipelines/broken.yaml: bad');
      return version === 1
        ? [countingPipeline('a', { cron: '0 * * * *' })]
        : [countingPipeline('b', { cron: '0 2 * * *' })];
    }, '2026-03-01T10:00:00Z');
    const { port } = await daemon.start();

    version = 2;
    expect(await daemon.reload()).toBe(true);
    version = 3;
    expect(await daemon.reload()).toBe(false);

    const status = JSON.parse((await get(port, '/status')).text);
    expect(
      status.pipelines.map((p: { name: string; nextRunAt: string }) => [
        p.name,
        p.nextRunAt,
      ]),
    ).toEqual([['b', '2026-03-02T02:00:00.000Z']]);
    const series = await scrape(port);
    expect([...series.keys()].filter((k) => k.includes('next_run'))).toEqual([
      'backfill_schedule_next_run_timestamp_seconds{pipeline=b}',
    ]);
  });

  it('refuses a port in use with a code and what to do', async () => {
    folder = tempFolder();
    const { daemon } = startDaemon(
      () => [countingPipeline('a', { cron: '0 * * * *' })],
      '2026-03-01T10:00:00Z',
    );
    const { port } = await daemon.start();
    const other = new Daemon({
      load: async () => ({
        pipelines: [countingPipeline('a', { cron: '0 * * * *' })],
        registry,
      }),
      cwd: folder.cwd,
      port,
    });

    await expect(other.start()).rejects.toThrow(
      `port ${port} on 127.0.0.1 is in use by another process; choose ` +
        'another with --port or BACKFILL_PORT [DAEMON_PORT_IN_USE]',
    );
  });
});
