import {
  DescribeJobCommand,
  type DescribeJobCommandOutput,
  type GlacierJobDescription,
  InitiateJobCommand,
  type InitiateJobOutput,
  ListJobsCommand,
  type ListJobsOutput,
} from '@aws-sdk/client-glacier';
import { type Logger, sleep } from '@backfill/plugin-kit';

import { fatal, retriable } from './errors.ts';
import type { GlacierApi } from './glacier-api.ts';
import {
  DEFAULT_POLL_INTERVAL,
  type GlacierParams,
  parseDuration,
} from './params.ts';

/** What a retrieval job retrieves: one archive, or the vault's inventory. */
export type JobTarget =
  | { kind: 'archive'; archiveId: string }
  | { kind: 'inventory' };

/** A job found or started for a target. */
export interface ResolvedJob {
  jobId: string;
  /** True when this run started it (billable). */
  started: boolean;
}

const EXPECTED_WAIT: Record<string, string> = {
  Expedited: '1-5 minutes',
  Standard: '3-5 hours',
  Bulk: '5-12 hours',
};

/**
 * The job to read `target` from, never starting a billable one by accident:
 * the job the cursor saved, then the `job_id` param, then a live job found
 * by ListJobs, and only then, when `retrieval` is true, a new job.
 */
export async function resolveJob(
  api: GlacierApi,
  params: GlacierParams,
  target: JobTarget,
  saved: string | undefined,
  logger: Logger,
): Promise<ResolvedJob> {
  const what = describeTarget(target);
  let expired: string | undefined;
  for (const jobId of [saved, params.job_id]) {
    if (!jobId) continue;
    const job = await describeOrGone(api, jobId);
    if (job === 'gone') {
      expired ??= jobId;
      continue;
    }
    if (matches(job, target) && job.StatusCode !== 'Failed') {
      return { jobId, started: false };
    }
  }
  const live = await findLiveJob(api, target);
  if (live) {
    logger.info({ jobId: live, target: what }, 'reusing a live retrieval job');
    return { jobId: live, started: false };
  }
  if (!params.retrieval) {
    const reason = expired
      ? `retrieval job ${expired} for ${what} has expired (job output lives 24 hours)`
      : `no live retrieval job for ${what} in vault ${params.vault_name}`;
    return Promise.reject(
      fatal(
        expired ? 'GLACIER_JOB_EXPIRED' : 'GLACIER_NO_JOB',
        `${reason}; set retrieval: true to start one (billable; ` +
          `tier ${params.tier ?? 'Bulk'}) or pass a live job_id`,
        { vault: params.vault_name, target: what },
      ),
    );
  }
  if (expired) {
    logger.warn(
      { jobId: expired, target: what },
      'retrieval job expired, starting a new one',
    );
  }
  const jobId = await initiateJob(api, params, target);
  const tier = params.tier ?? 'Bulk';
  logger.info(
    { jobId, target: what, tier, expectedWait: EXPECTED_WAIT[tier] },
    'started a retrieval job',
  );
  return { jobId, started: true };
}

/**
 * Polls DescribeJob until the job has succeeded, doubling the wait from a
 * second up to `poll_interval`. Returns the job's description.
 */
export async function waitForJob(
  api: GlacierApi,
  params: GlacierParams,
  jobId: string,
  signal: AbortSignal,
  logger: Logger,
): Promise<DescribeJobCommandOutput> {
  const longest =
    parseDuration(params.poll_interval ?? DEFAULT_POLL_INTERVAL) ?? 900_000;
  let wait = Math.min(1000, longest);
  let logged = false;
  for (;;) {
    const job = await describeOrGone(api, jobId);
    if (job === 'gone') {
      throw retriable(
        'GLACIER_JOB_EXPIRED',
        `retrieval job ${jobId} expired while waiting`,
        {
          jobId,
        },
      );
    }
    if (job.StatusCode === 'Succeeded') return job;
    if (job.StatusCode === 'Failed') {
      throw fatal(
        'GLACIER_JOB_FAILED',
        `retrieval job ${jobId} failed: ${job.StatusMessage ?? 'no reason given'}; ` +
          `start another with retrieval: true`,
        { jobId },
      );
    }
    if (!logged) {
      const tier = job.Tier ?? params.tier ?? 'Bulk';
      logger.info(
        {
          jobId,
          tier,
          expectedWait: EXPECTED_WAIT[tier],
          pollEveryMs: longest,
        },
        'waiting for a retrieval job',
      );
      logged = true;
    }
    await sleep(wait, signal);
    wait = Math.min(wait * 2, longest);
  }
}

// ---------------------------------------------------------------------------

async function describeOrGone(
  api: GlacierApi,
  jobId: string,
): Promise<DescribeJobCommandOutput | 'gone'> {
  try {
    return await api.send<DescribeJobCommandOutput>(
      new DescribeJobCommand({
        accountId: api.accountId,
        vaultName: api.vaultName,
        jobId,
      }),
      `DescribeJob ${jobId}`,
    );
  } catch (error) {
    if ((error as { code?: string }).code === 'GLACIER_NOT_FOUND')
      return 'gone';
    throw error;
  }
}

async function findLiveJob(
  api: GlacierApi,
  target: JobTarget,
): Promise<string | undefined> {
  let marker: string | undefined;
  let best: string | undefined;
  do {
    const page: ListJobsOutput = await api.send(
      new ListJobsCommand({
        accountId: api.accountId,
        vaultName: api.vaultName,
        ...(marker ? { marker } : {}),
      }),
      'ListJobs',
    );
    for (const job of page.JobList ?? []) {
      if (!job.JobId || !matches(job, target)) continue;
      // A finished job can be read now; a running one only after a wait.
      if (job.StatusCode === 'Succeeded') return job.JobId;
      if (job.StatusCode === 'InProgress') best ??= job.JobId;
    }
    marker = page.Marker ?? undefined;
  } while (marker);
  return best;
}

async function initiateJob(
  api: GlacierApi,
  params: GlacierParams,
  target: JobTarget,
): Promise<string> {
  const tier = params.tier ?? 'Bulk';
  const jobParameters =
    target.kind === 'archive'
      ? {
          Type: 'archive-retrieval',
          ArchiveId: target.archiveId,
          Tier: tier,
          Description: 'backfill',
        }
      : {
          Type: 'inventory-retrieval',
          Format: 'JSON',
          Tier: tier,
          Description: 'backfill',
        };
  const output = await api.send<InitiateJobOutput>(
    new InitiateJobCommand({
      accountId: api.accountId,
      vaultName: api.vaultName,
      jobParameters,
    }),
    `InitiateJob for ${describeTarget(target)}`,
  );
  if (!output.jobId) {
    throw retriable(
      'GLACIER_NO_JOB_ID',
      'InitiateJob answered without a job id',
    );
  }
  return output.jobId;
}

function matches(job: GlacierJobDescription, target: JobTarget): boolean {
  if (target.kind === 'inventory') return job.Action === 'InventoryRetrieval';
  if (job.Action !== 'ArchiveRetrieval' || job.ArchiveId !== target.archiveId)
    return false;
  // A job for part of an archive cannot stand in for the whole.
  const range = job.RetrievalByteRange;
  const size = job.ArchiveSizeInBytes;
  return !range || size === undefined || range === `0-${size - 1}`;
}

function describeTarget(target: JobTarget): string {
  return target.kind === 'archive'
    ? `archive ${target.archiveId}`
    : 'the vault inventory';
}
