// A loopback Glacier REST server for tests and benchmarks: vaults, archive
// upload, retrieval and inventory jobs, ranged job output with the
// x-amz-sha256-tree-hash header, job delay and expiry, throttling and
// one-off corruption. It speaks enough of the real protocol for
// @aws-sdk/client-glacier; it is not a model of AWS billing or policy.
import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  MIB,
  TreeStack,
  treeHash,
} from '../../../plugins/source-glacier/src/tree-hash.ts';

/** Archive bytes produced on demand, so a 2 GiB archive needs no memory. */
export interface GeneratedContent {
  size: number;
  /** Bytes [offset, offset + length), always the same for the same args. */
  read(offset: number, length: number): Buffer;
}

export interface GlacierServerOptions {
  /** A job completes this long after InitiateJob; default 0. */
  jobDelayMs?: number;
  /** A completed job's output lives this long; default 24 hours. */
  jobTtlMs?: number;
  /** ListJobs page size when the request gives no limit; default 50. */
  pageSize?: number;
  /** The clock; Date.now by default. */
  now?: () => number;
}

export interface GlacierServerStats {
  /** Requests by operation name, throttled ones included. */
  requests: Record<string, number>;
  initiatedJobs: { archive: number; inventory: number };
  /** Range header of each GetJobOutput, `full` when none. */
  outputRanges: string[];
  bytesServed: number;
  throttled: number;
}

export interface ArchiveInput {
  vault: string;
  body: Buffer | GeneratedContent;
  description?: string;
  /** ISO time; now by default. */
  creationDate?: string;
}

export interface GlacierServer {
  url: string;
  stats: GlacierServerStats;
  close(): Promise<void>;
  createVault(vault: string): void;
  addArchive(archive: ArchiveInput): string;
  /** The next `count` requests (of `operation`, or any) answer 400. */
  throttle(count: number, operation?: string): void;
  /** Flips a byte of the next output of the range starting at `start`. */
  corruptOnce(jobId: string, start: number): void;
  /** Makes a job's output gone, as after its 24 hours. */
  expireJob(jobId: string): void;
  /**
   * Holds the next output of the range starting at `start` (any job)
   * before its first byte, until the returned function is called or the
   * client goes away: a download stopped at a known place.
   */
  holdOnce(start: number): () => void;
  jobIds(): string[];
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startGlacierServer(
  options: GlacierServerOptions = {},
): Promise<GlacierServer> {
  const state = new GlacierState(options);
  const server = createServer((req, res) => {
    state.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendError(res, 500, 'ServiceUnavailableException', String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: state.stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    createVault: (vault) => state.vault(vault, true),
    addArchive: (archive) => state.addArchive(archive),
    throttle: (count, operation) => state.throttles.push({ count, operation }),
    corruptOnce: (jobId, start) => state.corruptions.add(`${jobId}@${start}`),
    expireJob: (jobId) => {
      const job = state.jobs.get(jobId);
      if (job) job.expired = true;
    },
    jobIds: () => [...state.jobs.keys()],
    holdOnce: (start) => {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      state.holds.set(start, held);
      return release;
    },
  };
}

// ---------------------------------------------------------------------------

interface Archive {
  id: string;
  vault: string;
  content: GeneratedContent;
  leaves: Buffer[];
  treeHash: string;
  description: string;
  creationDate: string;
}

interface Job {
  id: string;
  vault: string;
  action: 'ArchiveRetrieval' | 'InventoryRetrieval';
  archive?: Archive;
  inventory?: Buffer;
  tier: string;
  description?: string;
  createdAt: number;
  expired: boolean;
}

class GlacierState {
  readonly stats: GlacierServerStats = {
    requests: {},
    initiatedJobs: { archive: 0, inventory: 0 },
    outputRanges: [],
    bytesServed: 0,
    throttled: 0,
  };
  readonly vaults = new Map<string, Archive[]>();
  readonly jobs = new Map<string, Job>();
  readonly throttles: Array<{ count: number; operation?: string }> = [];
  readonly corruptions = new Set<string>();
  readonly holds = new Map<number, Promise<void>>();
  readonly #delay: number;
  readonly #ttl: number;
  readonly #pageSize: number;
  readonly #now: () => number;

  constructor(options: GlacierServerOptions) {
    this.#delay = options.jobDelayMs ?? 0;
    this.#ttl = options.jobTtlMs ?? 24 * 3_600_000;
    this.#pageSize = options.pageSize ?? 50;
    this.#now = options.now ?? Date.now;
  }

  vault(name: string, create = false): Archive[] | undefined {
    if (create && !this.vaults.has(name)) this.vaults.set(name, []);
    return this.vaults.get(name);
  }

  addArchive(input: ArchiveInput): string {
    const content = Buffer.isBuffer(input.body)
      ? bufferContent(input.body)
      : input.body;
    const leaves: Buffer[] = [];
    for (let at = 0; at < content.size; at += MIB) {
      const leaf = content.read(at, Math.min(MIB, content.size - at));
      leaves.push(Buffer.from(treeHash(leaf), 'hex'));
    }
    const archive: Archive = {
      id: randomBytes(69).toString('base64url').slice(0, 92),
      vault: input.vault,
      content,
      leaves,
      treeHash: leafTreeHash(leaves, 0, leaves.length),
      description: input.description ?? '',
      creationDate: input.creationDate ?? new Date(this.#now()).toISOString(),
    };
    this.vault(input.vault, true)?.push(archive);
    return archive.id;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://glacier');
    const parts = url.pathname
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    const body = await readBody(req);
    const [, vaults, vaultName, kind, jobId, output] = parts;
    if (vaults !== 'vaults' || !vaultName) {
      return sendError(res, 404, 'ResourceNotFoundException', 'no such path');
    }
    const operation = operationOf(req.method ?? 'GET', kind, jobId, output);
    this.stats.requests[operation] = (this.stats.requests[operation] ?? 0) + 1;
    if (this.#takeThrottle(operation)) {
      this.stats.throttled++;
      return sendError(res, 400, 'ThrottlingException', 'Rate exceeded');
    }
    if (operation === 'CreateVault') {
      this.vault(vaultName, true);
      res.writeHead(201, { location: url.pathname }).end();
      return;
    }
    const vault = this.vault(vaultName);
    if (!vault) {
      return sendError(
        res,
        404,
        'ResourceNotFoundException',
        `Vault not found: ${vaultName}`,
      );
    }
    switch (operation) {
      case 'UploadArchive':
        return this.#upload(req, res, vaultName, body);
      case 'InitiateJob':
        return this.#initiate(res, vaultName, vault, body);
      case 'ListJobs':
        return this.#list(res, vaultName, url.searchParams);
      case 'DescribeJob':
      case 'GetJobOutput': {
        const job = this.jobs.get(jobId as string);
        if (!job || job.vault !== vaultName || this.#isGone(job)) {
          return sendError(
            res,
            404,
            'ResourceNotFoundException',
            `The job ID was not found: ${jobId}`,
          );
        }
        if (operation === 'DescribeJob')
          return sendJson(res, 200, this.#describe(job));
        return this.#output(req, res, job);
      }
      default:
        return sendError(
          res,
          400,
          'InvalidParameterValueException',
          `unsupported: ${operation}`,
        );
    }
  }

  #takeThrottle(operation: string): boolean {
    const rule = this.throttles.find(
      (t) => t.count > 0 && (!t.operation || t.operation === operation),
    );
    if (!rule) return false;
    rule.count--;
    return true;
  }

  #upload(
    req: IncomingMessage,
    res: ServerResponse,
    vault: string,
    body: Buffer,
  ) {
    const hash = treeHash(body);
    const claimed = req.headers['x-amz-sha256-tree-hash'];
    if (claimed && claimed !== hash) {
      return sendError(
        res,
        400,
        'InvalidParameterValueException',
        'tree hash mismatch',
      );
    }
    const description = req.headers['x-amz-archive-description'];
    const id = this.addArchive({
      vault,
      body,
      description: typeof description === 'string' ? description : '',
    });
    res
      .writeHead(201, {
        location: `/-/vaults/${vault}/archives/${id}`,
        'x-amz-archive-id': id,
        'x-amz-sha256-tree-hash': hash,
      })
      .end();
  }

  #initiate(
    res: ServerResponse,
    vaultName: string,
    vault: Archive[],
    body: Buffer,
  ) {
    const params = JSON.parse(body.toString('utf8') || '{}') as Record<
      string,
      string
    >;
    const id = randomBytes(69).toString('base64url').slice(0, 92);
    const job: Job = {
      id,
      vault: vaultName,
      action:
        params.Type === 'inventory-retrieval'
          ? 'InventoryRetrieval'
          : 'ArchiveRetrieval',
      tier: params.Tier ?? 'Standard',
      description: params.Description,
      createdAt: this.#now(),
      expired: false,
    };
    if (job.action === 'ArchiveRetrieval') {
      const archive = vault.find((a) => a.id === params.ArchiveId);
      if (!archive)
        return sendError(
          res,
          404,
          'ResourceNotFoundException',
          'Archive not found',
        );
      job.archive = archive;
      this.stats.initiatedJobs.archive++;
    } else {
      job.inventory = Buffer.from(
        JSON.stringify(inventoryOf(vaultName, vault, this.#now())),
      );
      this.stats.initiatedJobs.inventory++;
    }
    this.jobs.set(id, job);
    res
      .writeHead(202, {
        location: `/-/vaults/${vaultName}/jobs/${id}`,
        'x-amz-job-id': id,
      })
      .end();
  }

  #list(res: ServerResponse, vault: string, query: URLSearchParams): void {
    const all = [...this.jobs.values()].filter(
      (j) => j.vault === vault && !this.#isGone(j),
    );
    const start = Number(query.get('marker') ?? 0);
    const limit = Number(query.get('limit') ?? this.#pageSize);
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : null;
    sendJson(res, 200, {
      JobList: page.map((j) => this.#describe(j)),
      Marker: next,
    });
  }

  async #output(req: IncomingMessage, res: ServerResponse, job: Job) {
    if (!this.#isDone(job)) {
      return sendError(
        res,
        400,
        'InvalidParameterValueException',
        'The job is not currently available for download',
      );
    }
    const content =
      job.archive?.content ?? bufferContent(job.inventory as Buffer);
    const header = req.headers.range;
    this.stats.outputRanges.push(header ?? 'full');
    const range = parseRange(header, content.size);
    if (!range)
      return sendError(
        res,
        400,
        'InvalidParameterValueException',
        `bad range ${header}`,
      );
    const [start, end] = range;
    const held = this.holds.get(start);
    if (held) {
      this.holds.delete(start);
      await Promise.race([held, new Promise((r) => res.once('close', r))]);
      if (res.destroyed) return;
    }
    const headers: Record<string, string | number> = {
      'content-type': job.archive
        ? 'application/octet-stream'
        : 'application/json',
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
    };
    const leaves = job.archive?.leaves;
    const aligned =
      start % MIB === 0 && ((end + 1) % MIB === 0 || end + 1 === content.size);
    if (leaves && aligned) {
      headers['x-amz-sha256-tree-hash'] = leafTreeHash(
        leaves,
        start / MIB,
        Math.ceil((end + 1) / MIB),
      );
    } else if (!leaves) {
      headers['x-amz-sha256-tree-hash'] = treeHash(
        content.read(0, content.size),
      );
    }
    if (header)
      headers['content-range'] = `bytes ${start}-${end}/${content.size}`;
    res.writeHead(header ? 206 : 200, headers);
    const corrupt = this.corruptions.delete(`${job.id}@${start}`);
    void streamOut(res, content, start, end + 1, corrupt, (n) => {
      this.stats.bytesServed += n;
    });
  }

  #describe(job: Job): Record<string, unknown> {
    const done = this.#isDone(job);
    const archive = job.archive;
    return {
      JobId: job.id,
      JobDescription: job.description ?? null,
      Action: job.action,
      ArchiveId: archive?.id ?? null,
      VaultARN: `arn:aws:glacier:us-east-1:000000000000:vaults/${job.vault}`,
      CreationDate: new Date(job.createdAt).toISOString(),
      Completed: done,
      StatusCode: done ? 'Succeeded' : 'InProgress',
      StatusMessage: done ? 'Succeeded' : null,
      CompletionDate: done
        ? new Date(job.createdAt + this.#delay).toISOString()
        : null,
      ArchiveSizeInBytes: archive?.content.size ?? null,
      InventorySizeInBytes: job.inventory?.length ?? null,
      SHA256TreeHash: archive?.treeHash ?? null,
      ArchiveSHA256TreeHash: archive?.treeHash ?? null,
      RetrievalByteRange: archive ? `0-${archive.content.size - 1}` : null,
      Tier: job.tier,
    };
  }

  #isDone(job: Job): boolean {
    return this.#now() >= job.createdAt + this.#delay;
  }

  #isGone(job: Job): boolean {
    return (
      job.expired || this.#now() >= job.createdAt + this.#delay + this.#ttl
    );
  }
}

function operationOf(
  method: string,
  kind?: string,
  jobId?: string,
  output?: string,
): string {
  if (!kind) return method === 'PUT' ? 'CreateVault' : 'DescribeVault';
  if (kind === 'archives') return 'UploadArchive';
  if (kind !== 'jobs') return `Unknown:${kind}`;
  if (!jobId) return method === 'POST' ? 'InitiateJob' : 'ListJobs';
  return output === 'output' ? 'GetJobOutput' : 'DescribeJob';
}

function inventoryOf(vault: string, archives: Archive[], now: number) {
  return {
    VaultARN: `arn:aws:glacier:us-east-1:000000000000:vaults/${vault}`,
    InventoryDate: new Date(now).toISOString(),
    ArchiveList: archives.map((a) => ({
      ArchiveId: a.id,
      ArchiveDescription: a.description,
      CreationDate: a.creationDate,
      Size: a.content.size,
      SHA256TreeHash: a.treeHash,
    })),
  };
}

function leafTreeHash(leaves: Buffer[], from: number, to: number): string {
  const stack = new TreeStack();
  for (let i = from; i < to; i++) stack.push(leaves[i] as Buffer, 0);
  return stack.digest();
}

function bufferContent(body: Buffer): GeneratedContent {
  return {
    size: body.length,
    read: (offset, length) => body.subarray(offset, offset + length),
  };
}

function parseRange(
  header: string | undefined,
  size: number,
): [number, number] | undefined {
  if (!header) return [0, size - 1];
  const match = /^bytes=(\d+)-(\d*)$/.exec(header);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  return start <= end ? [start, end] : undefined;
}

async function streamOut(
  res: ServerResponse,
  content: GeneratedContent,
  start: number,
  end: number,
  corrupt: boolean,
  count: (n: number) => void,
): Promise<void> {
  for (let at = start; at < end && !res.destroyed; at += MIB) {
    let piece = content.read(at, Math.min(MIB, end - at));
    if (corrupt && at === start) {
      piece = Buffer.from(piece);
      piece[0] = (piece[0] as number) ^ 0xff;
    }
    count(piece.length);
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  res.end();
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  sendJson(res, status, {
    code,
    message,
    type: status >= 500 ? 'Server' : 'Client',
  });
}
