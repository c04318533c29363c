import {
  GetJobOutputCommand,
  type GetJobOutputOutput,
} from '@aws-sdk/client-glacier';
import type { Logger } from '@backfill/plugin-kit';

import { fatal, retriable } from './errors.ts';
import type { GlacierApi } from './glacier-api.ts';
import { RangeSpool } from './spool.ts';
import { MIB, TreeHasher, type TreeNode, TreeStack } from './tree-hash.ts';

/** One downloaded range whose tree hash matched. */
export interface VerifiedRange {
  start: number;
  /** Exclusive. */
  end: number;
  /** The verified bytes, read back from the spool; read them once. */
  bytes: AsyncIterable<Buffer>;
  /** The archive's tree stack before this range and after it. */
  stackBefore: TreeNode[];
  stackAfter: TreeNode[];
}

export interface RangePlan {
  jobId: string;
  /** Archive size; undefined when unknown (one unranged download). */
  size: number | undefined;
  rangeBytes: number;
  /** First byte to fetch: a multiple of rangeBytes. */
  from: number;
  /** Tree stack of the ranges before `from`. */
  stack: TreeNode[];
  /** The archive's tree hash, when Glacier told it. */
  archiveHash: string | undefined;
}

/** Tries of one range whose bytes did not match their hash. */
const RANGE_TRIES = 3;

/**
 * Downloads the archive in aligned ranges, verifying each range's tree hash
 * (retrying only the range that failed) and, at the end, the whole
 * archive's. A range streams through the tree hasher into a spool file and
 * is handed out only once verified, so no record of it can be stored
 * before. The next range (one, no more) downloads while the caller reads
 * this one; when the caller stops, that download is aborted.
 */
export async function* verifiedRanges(
  api: GlacierApi,
  plan: RangePlan,
  logger: Logger,
): AsyncIterable<VerifiedRange> {
  const stack = new TreeStack(plan.stack);
  const level = Math.log2(plan.rangeBytes / MIB);
  const starts: number[] = [];
  if (plan.size === undefined) starts.push(0);
  else
    for (let at = plan.from; at < plan.size; at += plan.rangeBytes)
      starts.push(at);

  const spool = await RangeSpool.create();
  const stop = new AbortController();
  const fetchAt = (start: number) => {
    const fetched = fetchVerified(api, plan, start, spool, stop.signal, logger);
    // A failed prefetch surfaces when awaited; keep it from being unhandled.
    fetched.catch(() => {});
    return fetched;
  };
  let next = starts.length > 0 ? fetchAt(starts[0] as number) : undefined;
  try {
    for (let i = 0; i < starts.length; i++) {
      const current = await (next as Promise<FetchedRange>);
      next =
        i + 1 < starts.length ? fetchAt(starts[i + 1] as number) : undefined;
      const stackBefore = stack.nodes.map((n) => ({ ...n }));
      stack.push(current.hash, plan.size === undefined ? 0 : level);
      yield {
        start: current.start,
        end: current.end,
        bytes: spool.read(current.start),
        stackBefore,
        stackAfter: stack.nodes.map((n) => ({ ...n })),
      };
      await spool.remove(current.start);
    }
  } finally {
    stop.abort();
    await next?.catch(() => {});
    await spool.close();
  }
  const whole = plan.size === undefined ? undefined : stack.digest();
  if (plan.archiveHash && whole && whole !== plan.archiveHash) {
    throw fatal(
      'GLACIER_ARCHIVE_CHECKSUM',
      `archive tree hash ${whole} differs from Glacier's ` +
        `${plan.archiveHash} although every range matched; ` +
        'the job output is inconsistent, start a new retrieval',
      { jobId: plan.jobId },
    );
  }
}

// ---------------------------------------------------------------------------

interface FetchedRange {
  start: number;
  end: number;
  hash: string;
}

async function fetchVerified(
  api: GlacierApi,
  plan: RangePlan,
  start: number,
  spool: RangeSpool,
  stop: AbortSignal,
  logger: Logger,
): Promise<FetchedRange> {
  const end =
    plan.size === undefined
      ? undefined
      : Math.min(start + plan.rangeBytes, plan.size);
  const whole = end === undefined || (start === 0 && end === plan.size);
  const range = whole ? undefined : `bytes=${start}-${(end as number) - 1}`;
  let problem = '';
  for (let attempt = 1; attempt <= RANGE_TRIES; attempt++) {
    const output = await getOutput(api, plan.jobId, range, stop);
    const hasher = new TreeHasher();
    const file = await spool.writer(start);
    try {
      for await (const piece of output.body as AsyncIterable<Uint8Array>) {
        if (stop.aborted) throw stop.reason;
        const bytes = Buffer.from(
          piece.buffer,
          piece.byteOffset,
          piece.byteLength,
        );
        hasher.update(bytes);
        await file.write(bytes);
      }
    } finally {
      await file.close();
    }
    const got = hasher.size;
    const hash = hasher.digest();
    const expectedSize = end === undefined ? got : end - start;
    // Glacier always sends the header; stand-ins (moto) may not, and a
    // whole download is then checked against the archive's own hash.
    const expected = output.checksum ?? (whole ? plan.archiveHash : undefined);
    if (got !== expectedSize) {
      problem = `got ${got} bytes, expected ${expectedSize}`;
    } else if (!expected && !whole) {
      problem = 'no x-amz-sha256-tree-hash header';
    } else if (expected && expected !== hash) {
      problem = `tree hash ${hash} differs from ${expected}`;
    } else {
      if (!expected) {
        logger.warn(
          { jobId: plan.jobId },
          'no tree hash to verify the archive against',
        );
      }
      return { start, end: start + got, hash };
    }
    logger.warn(
      { jobId: plan.jobId, range: range ?? 'whole', attempt, problem },
      'range failed verification, fetching it again',
    );
  }
  throw retriable(
    'GLACIER_RANGE_CHECKSUM',
    `range ${range ?? 'whole'} of job ${plan.jobId} failed ` +
      `verification ${RANGE_TRIES} times: ${problem}`,
    {
      jobId: plan.jobId,
      range: range ?? 'whole',
    },
  );
}

/** GetJobOutput; a job gone meanwhile is retriable: the next attempt
 * finds it expired and starts another one only when retrieval is on. */
export async function getOutput(
  api: GlacierApi,
  jobId: string,
  range: string | undefined,
  stop?: AbortSignal,
): Promise<GetJobOutputOutput> {
  try {
    return await api.send<GetJobOutputOutput>(
      new GetJobOutputCommand({
        accountId: api.accountId,
        vaultName: api.vaultName,
        jobId,
        ...(range ? { range } : {}),
      }),
      `GetJobOutput ${range ?? 'whole'}`,
      stop,
    );
  } catch (error) {
    if ((error as { code?: string }).code !== 'GLACIER_NOT_FOUND') throw error;
    throw retriable(
      'GLACIER_JOB_EXPIRED',
      `the output of job ${jobId} is gone (expired)`,
      { jobId },
    );
  }
}
