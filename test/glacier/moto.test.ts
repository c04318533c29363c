// The glacier source against moto_server, through `backfill run` into
// SQLite. moto stands in for AWS on loopback; it ignores ranges and sends no
// tree-hash header, so ranges and checksums are covered by loopback.test.ts.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateVaultCommand,
  GlacierClient,
  UploadArchiveCommand,
} from '@aws-sdk/client-glacier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { drive, recordsOf } from './context.ts';
import {
  endpointEnv,
  runPipeline,
  storedKeys,
  storedRecord,
  writePipeline,
} from './pipeline.ts';

const hasMoto = spawnSync('moto_server', ['--help']).status === 0;
if (!hasMoto) {
  console.warn(
    'glacier moto tests skipped (the direct read and the backfill run ' +
      'pipeline into SQLite): moto_server is not on PATH; install it with ' +
      'pip install "moto[server]"',
  );
}

const OFFERS = 250;

describe.skipIf(!hasMoto)('glacier source against moto_server', () => {
  let moto: ChildProcess;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: 'ignore',
    });
    await waitUntilUp(url);
    dir = mkdtempSync(join(tmpdir(), 'glacier-moto-'));
  });
  afterAll(() => {
    moto?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let archiveId = '';
  let lines: string[] = [];
  const vault = 'margin-offers-archive';

  async function upload(): Promise<void> {
    const client = new GlacierClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await client.send(
      new CreateVaultCommand({ accountId: '-', vaultName: vault }),
    );
    lines = Array.from({ length: OFFERS }, (_, i) =>
      JSON.stringify({
        id: `offer-${i}`,
        lender: `L${i % 9}`,
        apr_bps: 700 + i,
      }),
    );
    const answer = await client.send(
      new UploadArchiveCommand({
        accountId: '-',
        vaultName: vault,
        archiveDescription: 'offers 2024-03',
        body: Buffer.from(`${lines.join('\n')}\n`),
      }),
    );
    archiveId = answer.archiveId as string;
  }

  it('reads every margin offer of an archive, endpoint from AWS_ENDPOINT_URL', async () => {
    await upload();
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    });
    delete process.env.AWS_ENDPOINT_URL_GLACIER;
    try {
      const { batches } = await drive({
        params: {
          vault_name: vault,
          archive_id: archiveId,
          retrieval: true,
          tier: 'Expedited',
          poll_interval: '500ms',
        },
        batchSize: 40,
      });
      expect(recordsOf(batches).map(([k]) => k)).toEqual(
        lines.map((_, i) => `${archiveId}:offer-${i}`),
      );
      expect(recordsOf(batches)[1]?.[1]).toEqual({
        id: 'offer-1',
        lender: 'L1',
        apr_bps: 701,
      });
    } finally {
      process.env = saved;
    }
  });

  it('backfills every margin offer into SQLite with backfill run', {
    timeout: 60_000,
  }, async () => {
    if (!archiveId) await upload();
    const pipeline = writePipeline({ dir, vault, archiveId, batchSize: 40 });

    // The general AWS_ENDPOINT_URL reaches the source through the SDK.
    const run = await runPipeline(
      dir,
      pipeline,
      endpointEnv('AWS_ENDPOINT_URL', url),
    );

    expect(run.output).not.toMatch(/GLACIER_/);
    expect(run.code).toBe(0);
    expect(storedKeys(dir)).toEqual(
      lines.map((_, i) => `${archiveId}:offer-${i}`).sort(),
    );
    expect(storedRecord(dir, `${archiveId}:offer-7`)).toEqual({
      id: 'offer-7',
      lender: 'L7',
      apr_bps: 707,
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitUntilUp(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/moto-api/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`moto_server did not start at ${url}`);
}
