import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sqlite from '@backfill/store-sqlite';
import parsePrometheus from 'parse-prometheus-text-format';
import { request } from 'undici';

import { registryOf } from '../../packages/core/src/engine/index.ts';
import type { PipelineSpec } from '../../packages/core/src/model/pipeline.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';

export const registry = registryOf([counting, sqlite]);

/** A throwaway working folder, removed by the returned function. */
export function tempFolder(): { cwd: string; remove(): void } {
  const cwd = mkdtempSync(join(tmpdir(), 'backfill-daemon-'));
  return { cwd, remove: () => rmSync(cwd, { recursive: true, force: true }) };
}

/** A pipeline over the counting source, slots 0-399 in two chunks. */
export function countingPipeline(
  name: string,
  schedule: PipelineSpec['schedule'],
  params: Record<string, unknown> = {},
): PipelineSpec {
  return {
    name,
    enabled: true,
    schedule,
    window: { kind: 'slot', start: 0, end: 399 },
    source: { use: 'counting', batchSize: 100, with: params },
    transform: [],
    store: { use: 'sqlite', with: {} },
    maxRetries: 0,
    concurrency: 1,
    secrets: [],
    origin: { file: `pipelines/${name}.yaml`, kind: 'pipeline' },
  };
}

/** GET over loopback with a real HTTP client. */
export async function get(port: number, path: string) {
  const res = await request(`http://127.0.0.1:${port}${path}`);
  return {
    status: res.statusCode,
    type: String(res.headers['content-type']),
    text: await res.body.text(),
  };
}

/**
 * /metrics scraped and parsed by a Prometheus text parser, as
 * `name{k=v,...}` -> value for counters and gauges, observations for
 * histograms.
 */
export async function scrape(port: number): Promise<Map<string, number>> {
  const { text } = await get(port, '/metrics');
  const series = new Map<string, number>();
  for (const family of parsePrometheus(text)) {
    for (const sample of family.metrics) {
      const labels = Object.entries(sample.labels ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      // Histograms: the count of the +Inf bucket (the parser drops their
      // labels, sum and count).
      const value = sample.value ?? sample.buckets?.['+Inf'];
      series.set(`${family.name}{${labels}}`, Number(value));
    }
  }
  return series;
}
