// The glacier source against a mocked GlacierClient (aws-sdk-client-mock):
// what each AWS error becomes, which Range headers are asked for, what a
// wrong x-amz-sha256-tree-hash costs, and what an expired job leads to.
// The SDK's own middleware (retries, signing) does not run here.
import { Readable } from 'node:stream';
import {
  DescribeJobCommand,
  GetJobOutputCommand,
  type GetJobOutputInput,
  GlacierClient,
  GlacierServiceException,
  InitiateJobCommand,
  ListJobsCommand,
} from '@aws-sdk/client-glacier';
import type { SourceBatch } from '@backfill/plugin-kit';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

import { treeHash } from '../../plugins/source-glacier/src/tree-hash.ts';
import { drive, type LogLine, recordsOf, useEndpoint } from './context.ts';

const MIB = 1024 * 1024;
const VAULT = 'margin-offers-archive';
const ARCHIVE = 'archive-1';
const JOB = 'job-1';

/** Offers of about 100 bytes, one a line: 5 MiB and a few bytes. */
const LINES = Array.from(
  { length: 52_000 },
  (_, i) =>
    `{"id":"offer-${i}","market":"SOL-USDC","note":"${'x'.repeat(50)}"}`,
);
const CONTENT = Buffer.from(`${LINES.join('\n')}\n`);
const SIZE = CONTENT.length;

const glacier = mockClient(GlacierClient);
useEndpoint('http://127.0.0.1:9'); // never reached: send is mocked

/** A finished retrieval job of the whole archive. */
function succeededJob(jobId = JOB) {
  return {
    JobId: jobId,
    Action: 'ArchiveRetrieval' as const,
    ArchiveId: ARCHIVE,
    StatusCode: 'Succeeded' as const,
    Completed: true,
    ArchiveSizeInBytes: SIZE,
    ArchiveSHA256TreeHash: treeHash(CONTENT),
    RetrievalByteRange: `0-${SIZE - 1}`,
    Tier: 'Expedited',
  };
}

/** An AWS error as the SDK builds it from a response. */
function awsError(name: string, status: number): GlacierServiceException {
  return new GlacierServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} from the mock`,
  });
}

/**
 * Answers GetJobOutput from CONTENT, in pieces of 100 KB, with the tree
 * hash of the bytes sent, or with `wrongHash(range)` when it says so.
 */
function serveOutput(wrongHash: (range: string) => boolean = () => false) {
  glacier.on(GetJobOutputCommand).callsFake((input: GetJobOutputInput) => {
    const match = /^bytes=(\d+)-(\d+)$/.exec(input.range ?? '');
    const start = match ? Number(match[1]) : 0;
    const end = match ? Number(match[2]) + 1 : SIZE;
    const bytes = CONTENT.subarray(start, end);
    const pieces: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 100_000)
      pieces.push(bytes.subarray(at, at + 100_000));
    const wrong = wrongHash(input.range ?? 'whole');
    return {
      body: Readable.from(pieces),
      checksum: treeHash(wrong ? Buffer.from('other bytes') : bytes),
      status: match ? 206 : 200,
    };
  });
}

function rangesAsked(): string[] {
  return glacier
    .commandCalls(GetJobOutputCommand)
    .map((call) => call.args[0].input.range ?? 'whole');
}

const params = {
  vault_name: VAULT,
  archive_id: ARCHIVE,
  job_id: JOB,
  chunk_size: 2,
  poll_interval: '10ms',
};

beforeEach(() => {
  glacier.reset();
  glacier.on(DescribeJobCommand).resolves(succeededJob());
  glacier.on(ListJobsCommand).resolves({ JobList: [] });
});

describe('AWS errors', () => {
  it('a throttling 400 left after the SDK retries is GLACIER_THROTTLED, rate limited', async () => {
    glacier
      .on(DescribeJobCommand)
      .rejects(awsError('ThrottlingException', 400));
    const run = drive({ params });
    await expect(run).rejects.toMatchObject({
      code: 'GLACIER_THROTTLED',
      errorClass: 'rate_limited',
      details: { awsError: 'ThrottlingException', httpStatus: 400 },
    });
    await expect(run).rejects.toThrow(
      `DescribeJob ${JOB}: ThrottlingException`,
    );
  });

  it('access denied is GLACIER_AUTH, fatal', async () => {
    glacier
      .on(DescribeJobCommand)
      .rejects(awsError('AccessDeniedException', 403));
    await expect(drive({ params })).rejects.toMatchObject({
      code: 'GLACIER_AUTH',
      errorClass: 'fatal',
      details: { awsError: 'AccessDeniedException', httpStatus: 403 },
    });
  });

  it('a vault that does not exist is GLACIER_NOT_FOUND, fatal', async () => {
    glacier
      .on(ListJobsCommand)
      .rejects(awsError('ResourceNotFoundException', 404));
    const { job_id: _, ...noJob } = params;
    const run = drive({ params: noJob });
    await expect(run).rejects.toMatchObject({
      code: 'GLACIER_NOT_FOUND',
      errorClass: 'fatal',
    });
    await expect(run).rejects.toThrow(/^ListJobs: ResourceNotFoundException/);
  });

  it('an account the vault API no longer serves is fatal, saying what to use', async () => {
    glacier
      .on(ListJobsCommand)
      .rejects(awsError('NoLongerSupportedException', 400));
    const { job_id: _, ...noJob } = params;
    const run = drive({ params: { ...noJob, retrieval: true } });
    await expect(run).rejects.toMatchObject({
      code: 'GLACIER_NO_LONGER_SUPPORTED',
      errorClass: 'fatal',
    });
    await expect(run).rejects.toThrow(/S3 Glacier storage class/);
  });
});

describe('ranges', () => {
  it('asks for aligned 2 MiB ranges, the last one short, and reads every record once', async () => {
    serveOutput();
    const { batches } = await drive({ params, batchSize: 5000 });
    expect(SIZE).toBe(5_240_890);
    expect(rangesAsked()).toEqual([
      `bytes=0-${2 * MIB - 1}`,
      `bytes=${2 * MIB}-${4 * MIB - 1}`,
      `bytes=${4 * MIB}-${SIZE - 1}`,
    ]);
    const keys = recordsOf(batches).map(([key]) => key);
    expect(keys).toEqual(LINES.map((_, i) => `${ARCHIVE}:offer-${i}`));
  });

  it('asks for the whole archive, without a Range, when it fits one range', async () => {
    serveOutput();
    await drive({ params: { ...params, chunk_size: 8 } });
    expect(rangesAsked()).toEqual(['whole']);
  });

  it('resumes at the range that holds the cursor offset', async () => {
    serveOutput();
    // Two batches of no records (archives, job), then 25,000 records.
    const first = await drive({ params, batchSize: 5000, stopAfter: 7 });
    const offset = (first.cursor as { position: { offset: number } }).position
      .offset;
    expect(offset).toBe(2_513_889);
    glacier.resetHistory();

    const second = await drive({
      params,
      batchSize: 5000,
      cursor: first.cursor,
    });
    expect(rangesAsked()).toEqual([
      `bytes=${2 * MIB}-${4 * MIB - 1}`,
      `bytes=${4 * MIB}-${SIZE - 1}`,
    ]);
    const keys = [...recordsOf(first.batches), ...recordsOf(second.batches)];
    expect(keys.map(([key]) => key)).toEqual(
      LINES.map((_, i) => `${ARCHIVE}:offer-${i}`),
    );
  });
});

describe('checksums', () => {
  it('a wrong x-amz-sha256-tree-hash fetches only that range again', async () => {
    let wrongOnce = true;
    serveOutput((range) => {
      const wrong = wrongOnce && range === `bytes=${2 * MIB}-${4 * MIB - 1}`;
      if (wrong) wrongOnce = false;
      return wrong;
    });
    const logs: LogLine[] = [];
    const { batches } = await drive({ params, batchSize: 5000, logs });
    expect(rangesAsked()).toEqual([
      `bytes=0-${2 * MIB - 1}`,
      `bytes=${2 * MIB}-${4 * MIB - 1}`,
      `bytes=${2 * MIB}-${4 * MIB - 1}`,
      `bytes=${4 * MIB}-${SIZE - 1}`,
    ]);
    expect(recordsOf(batches).length).toBe(52_000);
    expect(logs.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        msg: 'range failed verification, fetching it again',
        obj: {
          jobId: JOB,
          range: `bytes=${2 * MIB}-${4 * MIB - 1}`,
          attempt: 1,
          problem: expect.stringMatching(/^tree hash [0-9a-f]{64} differs/),
        },
      },
    ]);
  });

  it('a range wrong three times fails retriable, none of its records yielded', async () => {
    serveOutput((range) => range === `bytes=${2 * MIB}-${4 * MIB - 1}`);
    const into: SourceBatch[] = [];
    const run = drive({ params, batchSize: 1000, into });
    await expect(run).rejects.toMatchObject({
      code: 'GLACIER_RANGE_CHECKSUM',
      errorClass: 'retriable',
    });
    // Range 0 holds 20,873 whole offers; the batches of 1000 among them
    // were yielded, nothing past byte 2 MiB.
    const keys = recordsOf(into).map(([key]) => key);
    expect(keys).toHaveLength(20_000);
    expect(keys.at(-1)).toBe(`${ARCHIVE}:offer-19999`);
    expect(
      rangesAsked().filter((r) => r.startsWith(`bytes=${2 * MIB}-`)),
    ).toHaveLength(3);
  });

  it('ranges that match but an archive hash that does not is fatal', async () => {
    serveOutput();
    glacier
      .on(DescribeJobCommand)
      .resolves({ ...succeededJob(), ArchiveSHA256TreeHash: 'ab'.repeat(32) });
    await expect(drive({ params, batchSize: 5000 })).rejects.toMatchObject({
      code: 'GLACIER_ARCHIVE_CHECKSUM',
      errorClass: 'fatal',
    });
  });
});

describe('expiry', () => {
  const gone = () => awsError('ResourceNotFoundException', 404);

  it('output gone mid-download is GLACIER_JOB_EXPIRED, retriable', async () => {
    glacier.on(GetJobOutputCommand).rejects(gone());
    await expect(drive({ params })).rejects.toMatchObject({
      code: 'GLACIER_JOB_EXPIRED',
      errorClass: 'retriable',
    });
  });

  it('an expired saved job is started again only with retrieval: true, with a warning', async () => {
    glacier.on(DescribeJobCommand, { jobId: JOB }).rejects(gone());
    glacier
      .on(DescribeJobCommand, { jobId: 'job-2' })
      .resolves(succeededJob('job-2'));
    glacier.on(InitiateJobCommand).resolves({ jobId: 'job-2' });
    serveOutput();
    const logs: LogLine[] = [];

    const { batches } = await drive({
      params: { ...params, retrieval: true },
      logs,
      batchSize: 60_000,
    });

    expect(glacier.commandCalls(InitiateJobCommand)).toHaveLength(1);
    expect(
      glacier.commandCalls(InitiateJobCommand)[0]?.args[0].input.jobParameters,
    ).toEqual({
      Type: 'archive-retrieval',
      ArchiveId: ARCHIVE,
      Tier: 'Bulk',
      Description: 'backfill',
    });
    expect(batches[1]?.records).toEqual([]);
    expect(batches[1]?.cursor).toMatchObject({ jobs: { [ARCHIVE]: 'job-2' } });
    expect(logs.find((l) => l.level === 'warn')).toEqual({
      level: 'warn',
      msg: 'retrieval job expired, starting a new one',
      obj: { jobId: JOB, target: `archive ${ARCHIVE}` },
    });
    expect(recordsOf(batches)).toHaveLength(52_000);
  });

  it('an expired job without retrieval: true is fatal, saying what to do, and starts nothing', async () => {
    glacier.on(DescribeJobCommand).rejects(gone());
    const run = drive({ params });
    await expect(run).rejects.toMatchObject({
      code: 'GLACIER_JOB_EXPIRED',
      errorClass: 'fatal',
    });
    await expect(run).rejects.toThrow(
      `retrieval job ${JOB} for archive ${ARCHIVE} has expired (job output lives 24 hours); set retrieval: true to start one (billable; tier Bulk) or pass a live job_id`,
    );
    expect(glacier.commandCalls(InitiateJobCommand)).toHaveLength(0);
  });
});
