// pnpm bench glacier: a 2 GiB generated archive read by the glacier source
// (download, tree-hash verify, decode JSON lines) against a plain download
// of the same bytes from the same loopback server. Targets: peak RSS under
// 200 MB, throughput at least 70% of the plain download.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GetJobOutputCommand, GlacierClient } from '@aws-sdk/client-glacier';
import { createRateLimiter, silentLogger } from '@backfill/plugin-kit';
import plugin from '@backfill/source-glacier';

import { DecodedRecords } from '../../plugins/source-glacier/src/decode/decoded.ts';
import { jsonLinesDecoder } from '../../plugins/source-glacier/src/decode/jsonl.ts';
import { generatedOffers } from '../servers/glacier/generated.ts';

const SIZE = Number(process.env.GLACIER_BENCH_BYTES ?? 2 * 1024 ** 3);
const RANGE_MIB = 64;
const here = import.meta.dirname;

const server = spawn(
  process.execPath,
  ['--import', 'tsx', join(here, '../servers/glacier/main.ts'), String(SIZE)],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const line = await new Promise<string>((resolve) => {
  createInterface({ input: server.stdout }).once('line', resolve);
});
const { url, vault, archiveId, jobId } = JSON.parse(line) as {
  url: string;
  vault: string;
  archiveId: string;
  jobId: string;
};
Object.assign(process.env, {
  AWS_ENDPOINT_URL_GLACIER: url,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
});

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

try {
  const plain = await plainDownload();
  const source = await sourceRead();
  const decodeRate = decodeAlone();
  const mb = SIZE / 1e6;
  const plainRate = mb / plain.seconds;
  const sourceRate = mb / source.seconds;
  const ratio = sourceRate / plainRate;
  const peakMb = peakRss / 1e6;
  const pct = (rate: number) => `${((rate / plainRate) * 100).toFixed(0)}%`;
  process.stdout.write(
    `plain download  ${plainRate.toFixed(0)} MB/s (${plain.seconds.toFixed(1)} s)\n` +
      `glacier source  ${sourceRate.toFixed(0)} MB/s ` +
      `(${source.seconds.toFixed(1)} s), ${source.records} records\n` +
      `ratio           ${pct(sourceRate)} (target >= 70%)\n` +
      `peak RSS        ${peakMb.toFixed(0)} MB (target < 200 MB)\n` +
      `decode alone    ${decodeRate.toFixed(0)} MB/s, ${pct(decodeRate)} of ` +
      'the plain download: the same bytes split and parsed in memory, ' +
      'no network, no hashing; the source decodes on one thread and ' +
      'cannot run faster than this\n',
  );
  const expected = SIZE / 128;
  const ok = ratio >= 0.7 && peakMb < 200 && source.records === expected;
  if (source.records !== expected)
    process.stdout.write(`expected ${expected} records\n`);
  process.exitCode = ok ? 0 : 1;
} finally {
  clearInterval(sampler);
  server.kill('SIGTERM');
}

async function plainDownload(): Promise<{ seconds: number }> {
  const client = new GlacierClient({});
  const started = performance.now();
  for (let at = 0; at < SIZE; at += RANGE_MIB * 2 ** 20) {
    const end = Math.min(at + RANGE_MIB * 2 ** 20, SIZE) - 1;
    const out = await client.send(
      new GetJobOutputCommand({
        accountId: '-',
        vaultName: vault,
        jobId,
        range: `bytes=${at}-${end}`,
      }),
    );
    for await (const _ of out.body as AsyncIterable<Uint8Array>) {
      // bytes only
    }
  }
  return { seconds: (performance.now() - started) / 1000 };
}

async function sourceRead(): Promise<{ seconds: number; records: number }> {
  const glacier = plugin.sources?.[0];
  if (!glacier) throw new Error('no glacier source');
  let records = 0;
  const started = performance.now();
  for await (const batch of glacier.fetch({
    params: {
      vault_name: vault,
      archive_id: archiveId,
      job_id: jobId,
      chunk_size: RANGE_MIB,
    },
    batchSize: 2000,
    chunk: {
      id: 'all',
      range: {
        kind: 'time',
        from: '2020-01-01T00:00:00Z',
        to: '2030-01-01T00:00:00Z',
      },
    },
    cursor: null,
    signal: new AbortController().signal,
    logger: silentLogger,
    limiter: () => createRateLimiter(),
    countRequest: () => {},
    settings: {},
  })) {
    records += batch.records.length;
  }
  return { seconds: (performance.now() - started) / 1000, records };
}

/** The JSON-lines decoder alone over 256 MiB held in memory: MB/s. */
function decodeAlone(): number {
  const bytes = Math.min(SIZE, 256 * 2 ** 20);
  const content = generatedOffers(bytes);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes; at += 2 ** 18) {
    pieces.push(content.read(at, Math.min(2 ** 18, bytes - at)));
  }
  const decoder = jsonLinesDecoder(0);
  const out = new DecodedRecords();
  let records = 0;
  const started = performance.now();
  for (const piece of pieces) {
    decoder.push(piece, out);
    records += out.length;
    out.clear();
  }
  decoder.end(out);
  records += out.length;
  const seconds = (performance.now() - started) / 1000;
  if (records !== bytes / 128) throw new Error(`decoded ${records} records`);
  return bytes / 1e6 / seconds;
}
