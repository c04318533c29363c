// A glacier pipeline run with `backfill run` in a child process against the
// loopback Glacier server (always available, unlike moto), into SQLite; and
// a run killed with SIGKILL mid-archive, then run again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GlacierClient, UploadArchiveCommand } from '@aws-sdk/client-glacier';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  type GlacierServer,
  startGlacierServer,
} from '../servers/glacier/index.ts';
import {
  committedOffset,
  committedRecords,
  endpointEnv,
  runPipeline,
  storedKeys,
  storedRecord,
  writePipeline,
} from './pipeline.ts';

const MIB = 1024 * 1024;

/** `count` JSON-lines margin offers, about 370 bytes each. */
function offerLines(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      id: `offer-${i}`,
      market: 'SOL-USDC',
      rate_bps: 500 + (i % 50),
      note: 'x'.repeat(300 + (i % 7)),
    }),
  );
}

let server: GlacierServer;
let dir: string;
const vault = 'margin-offers-archive';

beforeAll(async () => {
  server = await startGlacierServer();
  server.createVault(vault);
});
afterAll(() => server.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'glacier-pipeline-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

/** Uploads through the SDK, as a user of the vault API would. */
async function upload(lines: string[]): Promise<string> {
  const client = new GlacierClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const answer = await client.send(
    new UploadArchiveCommand({
      accountId: '-',
      vaultName: vault,
      archiveDescription: 'offers 2024-03',
      body: Buffer.from(`${lines.join('\n')}\n`),
    }),
  );
  return answer.archiveId as string;
}

describe('backfill run of a glacier pipeline against the loopback server', () => {
  it('stores every margin offer of the archive in SQLite', {
    timeout: 60_000,
  }, async () => {
    const lines = offerLines(3000);
    const archiveId = await upload(lines);
    const pipeline = writePipeline({
      dir,
      vault,
      archiveId,
      batchSize: 250,
      extra: ['chunk_size: 1'],
    });

    const run = await runPipeline(
      dir,
      pipeline,
      endpointEnv('AWS_ENDPOINT_URL_GLACIER', server.url),
    );

    expect(run.output).not.toMatch(/GLACIER_/);
    expect(run.code).toBe(0);
    expect(storedKeys(dir)).toEqual(
      lines.map((_, i) => `${archiveId}:offer-${i}`).sort(),
    );
    expect(storedRecord(dir, `${archiveId}:offer-2999`)).toEqual({
      id: 'offer-2999',
      market: 'SOL-USDC',
      rate_bps: 549,
      note: 'x'.repeat(303),
    });
  });

  it('killed mid-archive, resumes from the last verified range: no loss, no duplicate', {
    timeout: 90_000,
  }, async () => {
    // About 4 MiB in 1 MiB ranges; the download of range 2 is held, so
    // the first run stops after ranges 0 and 1 at a place we know.
    const lines = offerLines(11_000);
    const archiveId = await upload(lines);
    const pipeline = writePipeline({
      dir,
      vault,
      archiveId,
      batchSize: 200,
      extra: ['chunk_size: 1'],
    });
    const env = endpointEnv('AWS_ENDPOINT_URL_GLACIER', server.url);
    const release = server.holdOnce(2 * MIB);

    const killed = await runPipeline(dir, pipeline, env, (child) => {
      const poll = setInterval(() => {
        if ((committedOffset(dir) ?? 0) > 1.5 * MIB) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 100);
      child.on('exit', () => clearInterval(poll));
    });
    release();
    expect(killed.signal).toBe('SIGKILL');
    const offset = committedOffset(dir) as number;
    expect(Math.floor(offset / MIB)).toBe(1);
    const before = server.stats.outputRanges.length;

    const resumed = await runPipeline(dir, pipeline, env);

    expect(resumed.code).toBe(0);
    // The rerun fetched from range 1 (holding the committed offset) on:
    // range 0 was not downloaded again.
    const size = archiveSize(lines);
    expect(size).toBe(4_047_884);
    expect(server.stats.outputRanges.slice(before)).toEqual([
      `bytes=${MIB}-${2 * MIB - 1}`,
      `bytes=${2 * MIB}-${3 * MIB - 1}`,
      `bytes=${3 * MIB}-${size - 1}`,
    ]);
    expect(storedKeys(dir)).toEqual(
      lines.map((_, i) => `${archiveId}:offer-${i}`).sort(),
    );
    // Each record counted once across both runs: none stored twice.
    expect(committedRecords(dir)).toBe(11_000);
    expect(storedRecord(dir, `${archiveId}:offer-10999`)).toMatchObject({
      id: 'offer-10999',
    });
  });
});

function archiveSize(lines: string[]): number {
  return Buffer.byteLength(`${lines.join('\n')}\n`);
}
