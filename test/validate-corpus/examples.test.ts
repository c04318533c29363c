/**
 * Every pipeline shipped in pipelines/ and every job-list example validates
 * cleanly, through the bundled plugins, and loads into the expected model.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadProject } from '@backfill/core';
import { describe, expect, it } from 'vitest';

import { bundledPlugins } from '../../packages/cli/src/validate/bundled.ts';

const root = join(import.meta.dirname, '..', '..');
const load = (paths: string[], env: Record<string, string> = {}) =>
  loadProject({ cwd: root, paths, env, bundledPlugins });

describe('shipped examples', () => {
  const pipelines = readdirSync(join(root, 'pipelines')).filter((f) =>
    /\.(ya?ml|json)$/.test(f),
  );

  it.each(pipelines)('pipelines/%s validates cleanly', async (file) => {
    const project = await load([join('pipelines', file)]);
    expect(project.files.flatMap((f) => f.diagnostics)).toEqual([]);
    expect(project.ok).toBe(true);
  });

  it.each(['design-example.json', 'three-sources.json'])(
    'test/job-lists/%s validates cleanly',
    async (file) => {
      const project = await load([join('test/job-lists', file)]);
      expect(project.files.flatMap((f) => f.diagnostics)).toEqual([]);
    },
  );

  it('daily-sync is the daily 02:00 full sync of marginfi and leverage', async () => {
    const project = await load(['pipelines/daily-sync.yaml']);
    expect(project.pipelines).toEqual([
      {
        name: 'daily-sync',
        description:
          'Daily full sync of the margin programs marginfi and leverage',
        enabled: true,
        schedule: { cron: '0 2 * * *', timezone: 'UTC' },
        window: { kind: 'last', durationMs: 24 * 3_600_000 },
        source: {
          use: 'chain',
          plugin: '@backfill/source-chain',
          batchSize: 1000,
          with: {
            programs: ['marginfi', 'leverage'],
            network: 'mainnet',
            rpc_url: 'https://api.mainnet-beta.solana.com',
          },
        },
        transform: [],
        store: {
          use: 'sqlite',
          plugin: '@backfill/store-sqlite',
          with: { path: '.backfill/backfill.db' },
        },
        maxRetries: 3,
        timeoutMs: 3_600_000,
        concurrency: 1,
        secrets: [],
        origin: { file: 'pipelines/daily-sync.yaml', kind: 'pipeline' },
      },
    ]);
  });

  it('daily-sync takes SOLANA_RPC_URL when set, and keeps it secret', async () => {
    const url = 'https://rpc.example.com/?api-key=k3y';
    const project = await load(['pipelines/daily-sync.yaml'], {
      SOLANA_RPC_URL: url,
    });
    expect(project.pipelines[0]!.source.with.rpc_url).toBe(url);
    expect(project.pipelines[0]!.secrets).toEqual([url]);
  });

  it('the DESIGN.md job list maps to one chain pipeline over its slots', async () => {
    const project = await load(['test/job-lists/design-example.json']);
    expect(project.pipelines).toEqual([
      {
        name: '...',
        description: '...',
        enabled: true,
        schedule: { cron: '0 2 * * *' },
        window: { kind: 'slot', start: 0, end: 1_000_000 },
        source: {
          use: 'chain',
          plugin: '@backfill/source-chain',
          batchSize: 1000,
          with: { programs: ['marginfi'], network: 'mainnet' },
        },
        transform: [],
        store: { use: 'sqlite', with: {} },
        maxRetries: 3,
        timeoutMs: 3_600_000,
        concurrency: 1,
        secrets: [],
        origin: {
          file: 'test/job-lists/design-example.json',
          kind: 'job-list',
          pointer: '/jobs/0',
        },
      },
    ]);
  });

  it('three-sources maps chain, glacier and off-chain jobs and skips the disabled one', async () => {
    const project = await load(['test/job-lists/three-sources.json']);
    expect(
      project.pipelines.map((p) => [
        p.name,
        p.source.use,
        p.source.plugin,
        p.enabled,
        p.schedule,
        p.window,
      ]),
    ).toEqual([
      [
        'chain-margin-programs',
        'chain',
        '@backfill/source-chain',
        true,
        { cron: '0 2 * * *' },
        { kind: 'slot', start: 250_000_000, end: 250_100_000 },
      ],
      [
        'glacier-margin-offers',
        'glacier',
        '@backfill/source-glacier',
        true,
        { intervalMs: 21_600_000 },
        null,
      ],
      [
        'partner-loans-api',
        'off-chain',
        '@backfill/source-offchain',
        true,
        { cron: '30 */6 * * *' },
        null,
      ],
      [
        'legacy-leverage-v2',
        'chain',
        '@backfill/source-chain',
        false,
        { intervalMs: 21_600_000 },
        null,
      ],
    ]);
    // Reported at the job's `"enabled": false`, wherever the file has it.
    const text = readFileSync(join(root, 'test/job-lists/three-sources.json'), 'utf8');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('"enabled": false')) + 1;
    const column = lines[line - 1]!.indexOf('false') + 1;
    expect(project.files[0]!.skipped).toEqual([
      { name: 'legacy-leverage-v2', pointer: '/jobs/3', line, column },
    ]);
  });
});
