import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  type GlacierServer,
  startGlacierServer,
} from '../servers/glacier/index.ts';
import { drive, type LogLine, recordsOf, useEndpoint } from './context.ts';

const MIB = 1024 * 1024;

// JSON-lines margin offers, `count` of them, each padded so that records
// straddle MiB boundaries.
function offers(count: number, pad = 300): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        id: `offer-${i}`,
        market: 'SOL-USDC',
        rate_bps: 500 + (i % 50),
        note: 'x'.repeat(pad + (i % 7)),
      }),
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

let server: GlacierServer;

beforeAll(async () => {
  server = await startGlacierServer();
  useEndpoint(server.url);
});
afterAll(() => server.close());

describe('glacier source through the SDK and the loopback server', () => {
  let vault: string;
  beforeEach(() => {
    vault = `vault-${Math.random().toString(36).slice(2, 8)}`;
    server.createVault(vault);
  });

  it('reads an archive in verified 1 MiB ranges, every record once', async () => {
    const body = offers(12_000);
    const archive = server.addArchive({ vault, body });
    const { batches } = await drive({
      params: {
        vault_name: vault,
        archive_id: archive,
        retrieval: true,
        chunk_size: 1,
        poll_interval: '10ms',
      },
      batchSize: 1000,
    });
    const records = recordsOf(batches);
    expect(records.length).toBe(12_000);
    expect(records[0]).toEqual([
      `${archive}:offer-0`,
      {
        id: 'offer-0',
        market: 'SOL-USDC',
        rate_bps: 500,
        note: 'x'.repeat(300),
      },
    ]);
    expect(new Set(records.map(([k]) => k)).size).toBe(12_000);
    expect(batches[0]?.records).toEqual([]);
    const ranges = Math.ceil(body.length / MIB);
    expect(server.stats.outputRanges.slice(-ranges)[0]).toBe(
      `bytes=0-${MIB - 1}`,
    );
    expect(server.stats.initiatedJobs.archive).toBe(1);
  });

  it('saves the job id in a batch of no records the moment it exists', async () => {
    const archive = server.addArchive({ vault, body: offers(10) });
    const { batches } = await drive({
      params: {
        vault_name: vault,
        archive_id: archive,
        retrieval: true,
        poll_interval: '10ms',
      },
      stopAfter: 2,
    });
    const jobs =
      (batches[1]?.cursor as { jobs: Record<string, string> } | undefined)
        ?.jobs ?? {};
    expect(batches[1]?.records).toEqual([]);
    expect(Object.keys(jobs)).toEqual([archive]);
    expect(server.jobIds()).toContain(jobs[archive]);
  });

  it('resumes after a crash from the last verified range: no loss, no duplicate', async () => {
    const body = offers(12_000);
    const archive = server.addArchive({ vault, body });
    const params = {
      vault_name: vault,
      archive_id: archive,
      retrieval: true,
      chunk_size: 1,
      poll_interval: '10ms',
    };
    const first = await drive({ params, batchSize: 1000, stopAfter: 6 });
    const before = server.stats.outputRanges.length;
    const second = await drive({
      params,
      batchSize: 1000,
      cursor: first.cursor,
    });
    const keys = [
      ...recordsOf(first.batches),
      ...recordsOf(second.batches),
    ].map(([k]) => k);
    expect(keys.length).toBe(12_000);
    expect(new Set(keys).size).toBe(12_000);
    expect(keys.at(-1)).toBe(`${archive}:offer-11999`);
    // The second run fetched neither a new job nor range 0 again.
    expect(server.stats.initiatedJobs.archive).toBeGreaterThan(0);
    // A prefetch the first run abandoned may land after `before`.
    const resumedStarts = server.stats.outputRanges
      .slice(before)
      .map((r) => Number(/^bytes=(\d+)-/.exec(r)?.[1]));
    const pos = (first.cursor as { position: { offset: number } }).position;
    const firstRange = Math.floor(pos.offset / MIB) * MIB;
    expect(firstRange).toBeGreaterThan(0);
    expect(Math.min(...resumedStarts)).toBe(firstRange);
  });

  it('stopping early returns at once: the prefetched range, held by the server, is aborted', async () => {
    const archive = server.addArchive({ vault, body: offers(6000) });
    // The prefetch of range 1 never gets a byte; the source waits for it
    // to end when it stops, so only aborting it lets drive() return.
    const release = server.holdOnce(MIB);
    try {
      const { batches } = await drive({
        params: {
          vault_name: vault,
          archive_id: archive,
          retrieval: true,
          chunk_size: 1,
          poll_interval: '10ms',
        },
        batchSize: 100,
        stopAfter: 3,
      });
      expect(recordsOf(batches).map(([k]) => k)).toEqual(
        Array.from({ length: 100 }, (_, i) => `${archive}:offer-${i}`),
      );
      expect(server.stats.outputRanges.slice(-2)).toEqual([
        `bytes=0-${MIB - 1}`,
        `bytes=${MIB}-${2 * MIB - 1}`,
      ]);
    } finally {
      release();
    }
  });

  it('retries only the range whose bytes failed their tree hash', async () => {
    const body = offers(9000);
    const archive = server.addArchive({ vault, body });
    const params = {
      vault_name: vault,
      archive_id: archive,
      retrieval: true,
      chunk_size: 1,
      poll_interval: '10ms',
    };
    const started = await drive({ params, stopAfter: 2 });
    const jobId = (started.cursor as { jobs: Record<string, string> }).jobs[
      archive
    ] as string;
    server.corruptOnce(jobId, MIB);
    const before = server.stats.outputRanges.length;
    const logs: LogLine[] = [];
    const { batches } = await drive({
      params,
      cursor: started.cursor,
      logs,
      batchSize: 500,
    });
    expect(recordsOf(batches).length).toBe(9000);
    const ranges = server.stats.outputRanges.slice(before);
    expect(
      ranges.filter((r) => r === `bytes=${MIB}-${2 * MIB - 1}`).length,
    ).toBe(2);
    expect(ranges.filter((r) => r === `bytes=0-${MIB - 1}`).length).toBe(1);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'range failed verification, fetching it again',
    ]);
  });

  it('reuses a live job found by ListJobs, following Marker', async () => {
    const paged = await startGlacierServer({ pageSize: 2 });
    useEndpoint(paged.url);
    try {
      paged.createVault(vault);
      const archives = [1, 2, 3, 4, 5].map((n) =>
        paged.addArchive({ vault, body: offers(n) }),
      );
      for (const id of archives) {
        await drive({
          params: {
            vault_name: vault,
            archive_id: id,
            retrieval: true,
            poll_interval: '10ms',
          },
          stopAfter: 2,
        });
      }
      expect(paged.stats.initiatedJobs.archive).toBe(5);
      const last = archives[4] as string;
      const { batches } = await drive({
        params: {
          vault_name: vault,
          archive_id: last,
          retrieval: false,
          poll_interval: '10ms',
        },
      });
      expect(recordsOf(batches).map(([k]) => k)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `${last}:offer-${i}`),
      );
      expect(paged.stats.initiatedJobs.archive).toBe(5);
      expect(paged.stats.requests.ListJobs).toBeGreaterThanOrEqual(3);
    } finally {
      useEndpoint(server.url);
      await paged.close();
    }
  });

  it('refuses to start a billable job when retrieval is false', async () => {
    const archive = server.addArchive({ vault, body: offers(3) });
    const run = drive({ params: { vault_name: vault, archive_id: archive } });
    await expect(run).rejects.toMatchObject({
      code: 'GLACIER_NO_JOB',
      errorClass: 'fatal',
    });
    await expect(run).rejects.toThrow(/set retrieval: true/);
  });

  it('starts an expired job again only when retrieval is true, with a warning', async () => {
    const archive = server.addArchive({ vault, body: offers(3) });
    const params = {
      vault_name: vault,
      archive_id: archive,
      retrieval: true,
      poll_interval: '10ms',
    };
    const started = await drive({ params, stopAfter: 2 });
    const jobId = (started.cursor as { jobs: Record<string, string> }).jobs[
      archive
    ] as string;
    server.expireJob(jobId);
    await expect(
      drive({
        params: { ...params, retrieval: false },
        cursor: started.cursor,
      }),
    ).rejects.toMatchObject({
      code: 'GLACIER_JOB_EXPIRED',
      errorClass: 'fatal',
    });
    const logs: LogLine[] = [];
    const { batches } = await drive({ params, cursor: started.cursor, logs });
    expect(recordsOf(batches).length).toBe(3);
    expect(logs.find((l) => l.level === 'warn')?.msg).toBe(
      'retrieval job expired, starting a new one',
    );
  });

  it('retries throttling that Glacier answers as HTTP 400', async () => {
    const archive = server.addArchive({ vault, body: offers(5) });
    server.throttle(2, 'DescribeJob');
    const { batches } = await drive({
      params: {
        vault_name: vault,
        archive_id: archive,
        retrieval: true,
        poll_interval: '10ms',
      },
    });
    expect(recordsOf(batches).length).toBe(5);
    expect(server.stats.throttled).toBeGreaterThanOrEqual(2);
  });

  it('chooses archives by creation date from the inventory', async () => {
    const inside = server.addArchive({
      vault,
      body: offers(2),
      creationDate: '2024-03-01T00:00:00.000Z',
    });
    server.addArchive({
      vault,
      body: offers(4),
      creationDate: '2024-05-01T00:00:00.000Z',
    });
    const { batches } = await drive({
      params: { vault_name: vault, retrieval: true, poll_interval: '10ms' },
      range: {
        kind: 'time',
        from: '2024-02-01T00:00:00.000Z',
        to: '2024-04-01T00:00:00.000Z',
      },
    });
    expect(recordsOf(batches).map(([k]) => k)).toEqual([
      `${inside}:offer-0`,
      `${inside}:offer-1`,
    ]);
    expect(server.stats.initiatedJobs.inventory).toBeGreaterThan(0);
  });

  it('decodes gzip, a JSON array and CSV, detecting each', async () => {
    const gz = server.addArchive({ vault, body: gzipSync(offers(700)) });
    const arr = server.addArchive({
      vault,
      body: Buffer.from('[{"id":1,"s":"a,]"}, {"id":2}]'),
    });
    const csv = server.addArchive({
      vault,
      body: Buffer.from('id,market\r\n7,"SOL,""USDC"""\r\n8,BTC\r\n'),
    });
    const read = async (archive: string) =>
      recordsOf(
        (
          await drive({
            params: {
              vault_name: vault,
              archive_id: archive,
              retrieval: true,
              poll_interval: '10ms',
            },
          })
        ).batches,
      );
    expect((await read(gz)).length).toBe(700);
    expect(await read(arr)).toEqual([
      [`${arr}:1`, { id: 1, s: 'a,]' }],
      [`${arr}:2`, { id: 2 }],
    ]);
    expect(await read(csv)).toEqual([
      [`${csv}:7`, { id: '7', market: 'SOL,"USDC"' }],
      [`${csv}:8`, { id: '8', market: 'BTC' }],
    ]);
  });

  it('keys a record without the key field by its byte offset and reports a bad line as a gap', async () => {
    const archive = server.addArchive({
      vault,
      body: Buffer.from('{"id":"a"}\n{"x":1}\nnot json\n'),
    });
    const { batches } = await drive({
      params: {
        vault_name: vault,
        archive_id: archive,
        retrieval: true,
        poll_interval: '10ms',
      },
    });
    expect(recordsOf(batches)).toEqual([
      [`${archive}:a`, { id: 'a' }],
      [`${archive}:11`, { x: 1 }],
    ]);
    expect(batches.flatMap((b) => b.gaps ?? [])).toEqual([
      { ref: `${archive}:19`, reason: expect.stringMatching(/^invalid JSON/) },
    ]);
  });
});
