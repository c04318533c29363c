import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DescribeJobCommandOutput } from '@aws-sdk/client-glacier';
import type {
  Gap,
  Json,
  SourceBatch,
  SourceContext,
  SourceRecord,
} from '@backfill/plugin-kit';

import {
  type ArchivePosition,
  type ArchiveRef,
  type GlacierCursor,
  readCursor,
  toJson,
} from './cursor.ts';
import { decoderFor, detectFormat, isGzip } from './decode/content.ts';
import { DecodedRecords, type RecordDecoder } from './decode/decoded.ts';
import { retriable } from './errors.ts';
import { createGlacierApi, type GlacierApi } from './glacier-api.ts';
import { chooseArchives } from './inventory.ts';
import { resolveJob, waitForJob } from './jobs.ts';
import { DEFAULT_CHUNK_MIB, type GlacierParams } from './params.ts';
import { getOutput, verifiedRanges } from './ranges.ts';
import { MIB, TreeHasher, type TreeNode } from './tree-hash.ts';

type Ctx = SourceContext<GlacierParams>;

/**
 * Fetches one chunk: lists the archives (inventory) when no archive_id is
 * given, makes sure each has a retrieval job, then reads them one by one
 * in verified ranges, yielding records in batches of ctx.batchSize.
 */
export async function* fetchGlacier(ctx: Ctx): AsyncIterable<SourceBatch> {
  const api = createGlacierApi(ctx);
  const cursor = readCursor(ctx.cursor);

  if (!cursor.archives) {
    yield* listArchives(ctx, api, cursor);
  }
  const archives = cursor.archives as ArchiveRef[];

  for (const archive of archives) {
    const target = { kind: 'archive', archiveId: archive.id } as const;
    const saved = cursor.jobs[archive.id];
    const job = await resolveJob(api, ctx.params, target, saved, ctx.logger);
    if (job.jobId !== saved) {
      cursor.jobs[archive.id] = job.jobId;
      yield { records: [], cursor: toJson(cursor) };
    }
  }

  while (archives.length > 0) {
    const archive = archives[0] as ArchiveRef;
    const jobId = cursor.jobs[archive.id] as string;
    const job = await waitForJob(
      api,
      ctx.params,
      jobId,
      ctx.signal,
      ctx.logger,
    );
    yield* readArchive(ctx, api, cursor, archive, job);
  }
}

// ---------------------------------------------------------------------------

async function* listArchives(
  ctx: Ctx,
  api: GlacierApi,
  cursor: GlacierCursor,
): AsyncIterable<SourceBatch> {
  const { params, logger } = ctx;
  if (params.archive_id) {
    cursor.archives = [{ id: params.archive_id }];
  } else {
    const saved = cursor.inventoryJob;
    const target = { kind: 'inventory' } as const;
    const job = await resolveJob(api, params, target, saved, logger);
    if (job.jobId !== saved) {
      cursor.inventoryJob = job.jobId;
      yield { records: [], cursor: toJson(cursor) };
    }
    await waitForJob(api, params, job.jobId, ctx.signal, logger);
    const inventory = await readInventory(api, job.jobId);
    cursor.archives = chooseArchives(
      inventory,
      ctx.chunk.range,
      params.description_pattern,
    );
    logger.info(
      { vault: params.vault_name, archives: cursor.archives.length },
      'chose archives from the vault inventory',
    );
  }
  cursor.total = cursor.archives.length;
  yield { records: [], cursor: toJson(cursor) };
}

async function readInventory(api: GlacierApi, jobId: string): Promise<string> {
  const output = await getOutput(api, jobId, undefined);
  const hasher = new TreeHasher();
  const pieces: Buffer[] = [];
  for await (const piece of output.body as AsyncIterable<Uint8Array>) {
    hasher.update(piece);
    pieces.push(Buffer.from(piece));
  }
  const hash = hasher.digest();
  if (output.checksum && output.checksum !== hash) {
    throw retriable(
      'GLACIER_INVENTORY_CHECKSUM',
      `inventory of job ${jobId} has tree hash ${hash}, Glacier says ${output.checksum}`,
    );
  }
  return Buffer.concat(pieces).toString('utf8');
}

/** Reads the first archive of the cursor, from its position on. */
async function* readArchive(
  ctx: Ctx,
  api: GlacierApi,
  cursor: GlacierCursor,
  archive: ArchiveRef,
  job: DescribeJobCommandOutput,
): AsyncIterable<SourceBatch> {
  const { params, logger } = ctx;
  const rangeBytes = (params.chunk_size ?? DEFAULT_CHUNK_MIB) * MIB;
  // Zero means unknown here: moto reports 0 for every archive, and an
  // empty archive reads the same either way.
  const size = job.ArchiveSizeInBytes || archive.size || undefined;
  const saved =
    cursor.position?.archive === archive.id ? cursor.position : undefined;
  // Gzip and unknown sizes cannot restart mid-stream: they read again from
  // byte 0 and skip what was stored. Not yet: a gzip archive re-downloads
  // its stored part after a crash (no duplicates, only time lost).
  const fromZero = !saved || saved.gzip || size === undefined;
  const from = fromZero
    ? 0
    : Math.floor(saved.offset / rangeBytes) * rangeBytes;
  const skipTo = saved?.offset ?? 0;
  logger.info(
    { archive: archive.id, size, from, skipTo, jobId: job.JobId },
    'reading archive',
  );

  // Tree stacks at range edges, so a cursor can say what was verified.
  const stacks = new Map<number, TreeNode[]>();
  const ranges = verifiedRanges(
    api,
    {
      jobId: job.JobId as string,
      size,
      rangeBytes,
      from,
      stack: fromZero ? [] : saved.stack,
      archiveHash: job.ArchiveSHA256TreeHash ?? archive.treeHash,
    },
    logger,
  );
  async function* raw(): AsyncGenerator<Buffer> {
    for await (const range of ranges) {
      ctx.signal.throwIfAborted();
      stacks.set(range.start, range.stackBefore);
      stacks.set(range.end, range.stackAfter);
      stacks.delete(range.start - 2 * rangeBytes);
      yield* range.bytes;
    }
  }

  const rawIt = raw();
  const first = await rawIt.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  const gzip = saved ? saved.gzip : isGzip(head);
  async function* rest(): AsyncGenerator<Buffer> {
    if (!first.done) yield head;
    yield* { [Symbol.asyncIterator]: () => rawIt };
  }
  const content: AsyncIterable<Buffer> = gzip
    ? Readable.from(rest(), { objectMode: false }).pipe(createGunzip())
    : rest();

  let decoder: RecordDecoder | undefined;
  let format = saved?.format ?? params.format;
  let offset = gzip ? 0 : from;
  let records: SourceRecord[] = [];
  let gaps: Gap[] = [];
  let lastEnd = skipTo;
  let stored = saved?.records ?? 0;
  const decoded = new DecodedRecords();
  const keyField = params.key_field ?? 'id';

  const position = (): ArchivePosition => ({
    archive: archive.id,
    offset: lastEnd,
    stack: fromZero && (gzip || size === undefined) ? [] : stackAt(lastEnd),
    format: format ?? 'jsonl',
    gzip,
    ...(decoder?.columns ? { columns: decoder.columns } : {}),
    records: stored,
  });
  const stackAt = (at: number): TreeNode[] => {
    const stack = stacks.get(Math.floor(at / rangeBytes) * rangeBytes);
    if (!stack) throw new Error(`no tree stack at ${at}: a bug`);
    return stack;
  };
  const batch = (): SourceBatch => {
    stored += records.length;
    cursor.position = position();
    const out: SourceBatch = {
      records,
      cursor: toJson(cursor),
      ...(gaps.length > 0 ? { gaps } : {}),
      progress: progressOf(cursor, size ? lastEnd / size : 0),
    };
    records = [];
    gaps = [];
    return out;
  };
  // Moves decoded records into the batch; a full batch is yielded with the
  // offset just after its own last record, never past it.
  function* take(): Generator<SourceBatch> {
    const { values, problems, starts, ends } = decoded;
    for (let i = 0; i < ends.length; i++) {
      const value = values[i];
      const start = starts[i] as number;
      if (value) {
        records.push({ key: keyOf(archive.id, value, start, keyField), value });
      } else {
        gaps.push({
          ref: `${archive.id}:${start}`,
          reason: problems[i] ?? 'invalid',
        });
      }
      lastEnd = ends[i] as number;
      if (records.length + gaps.length >= ctx.batchSize) yield batch();
    }
    decoded.clear();
  }

  for await (const piece of content) {
    let bytes = piece as Buffer;
    const at = offset;
    offset += bytes.length;
    if (offset <= skipTo) continue;
    if (at < skipTo) bytes = bytes.subarray(skipTo - at);
    if (!decoder) {
      format ??= detectFormat(bytes);
      decoder = decoderFor(
        format,
        Math.max(at, skipTo),
        skipTo > 0,
        saved?.columns,
      );
    }
    decoder.push(bytes, decoded);
    yield* take();
  }
  decoder?.end(decoded);
  yield* take();

  // The archive is done: the next batch's cursor points at the next one.
  if (records.length > 0 || gaps.length > 0) {
    const last = batch();
    finishArchive(cursor, archive);
    yield { ...last, cursor: toJson(cursor), progress: progressOf(cursor, 0) };
  } else {
    finishArchive(cursor, archive);
    yield {
      records: [],
      cursor: toJson(cursor),
      progress: progressOf(cursor, 0),
    };
  }
  logger.info({ archive: archive.id, records: stored }, 'archive done');
}

function finishArchive(cursor: GlacierCursor, archive: ArchiveRef): void {
  cursor.archives?.shift();
  delete cursor.jobs[archive.id];
  delete cursor.position;
}

/** `<archive id>:<key field>`; `<archive id>:<byte offset>` without one. */
function keyOf(
  archiveId: string,
  value: { [field: string]: Json },
  start: number,
  keyField: string,
): string {
  const key = value[keyField];
  if (typeof key === 'string' || typeof key === 'number') {
    return `${archiveId}:${key}`;
  }
  return `${archiveId}:${start}`;
}

function progressOf(cursor: GlacierCursor, inArchive: number): number {
  const total = cursor.total ?? 0;
  if (total === 0) return 1;
  const done = total - (cursor.archives?.length ?? 0);
  return Math.min(1, (done + inArchive) / total);
}
