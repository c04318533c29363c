import type {
  Gap,
  Json,
  SourceBatch,
  SourceRecord,
} from '@backfill/plugin-kit';

import type { Program } from './aliases.ts';
import { transactionRecord } from './record.ts';
import { type ChainRpc, nodeError } from './rpc.ts';
import type { SlotRange } from './slots.ts';

/**
 * Where a program's walk stands: every signature above `slot` is done, and
 * `seen` of `slot` itself (the order inside a slot is not stable, so the
 * slot's signatures are named). `before` is a signature of a newer slot to
 * page from on resume, null to page from the tip.
 */
export interface WalkCursor {
  program: string;
  slot: number;
  seen: string[];
  before: string | null;
}

export interface WalkOptions {
  commitment: 'finalized' | 'confirmed';
  includeFailed: boolean;
  batchRpc: boolean;
  batchSize: number;
  /** Waits before asking again for a null transaction, ms each. */
  nullRetryDelaysMs: number[];
}

interface SignatureInfo {
  signature: string;
  slot: number;
  err: Json;
}

const PAGE_LIMIT = 1000;
/** Calls per JSON-RPC batch when batching is on. */
const CALLS_PER_BATCH = 100;
/** Transactions fetched at once, at least; the limiter bounds the flight. */
const FETCH_WINDOW = 200;
/** Requests a walk keeps pending at once (the limiter's default flight). */
const IN_FLIGHT = 16;

/**
 * The transactions of one program over a slot range, newest first, in
 * batches of `batchSize` records, each with the cursor after it.
 */
export async function* walkProgram(
  rpc: ChainRpc,
  program: Program,
  range: SlotRange,
  resume: WalkCursor | null,
  options: WalkOptions,
): AsyncGenerator<SourceBatch> {
  let slot = resume?.slot ?? Number.POSITIVE_INFINITY;
  let seen = new Set(resume?.seen ?? []);
  let anchor = resume?.before ?? null;
  let last: string | null = null;
  let pageBefore = anchor ?? undefined;
  let records: SourceRecord[] = [];
  let gaps: Gap[] = [];

  const cursor = (): WalkCursor => ({
    program: program.address,
    slot,
    seen: [...seen],
    before: anchor,
  });
  const progress = () =>
    Math.min(
      1,
      Math.max(0, (range.end - slot) / (range.end - range.start + 1)),
    );

  for (;;) {
    const page = await rpc.call<SignatureInfo[]>('getSignaturesForAddress', [
      program.address,
      { limit: PAGE_LIMIT, before: pageBefore, commitment: options.commitment },
    ]);
    // Only an empty page ends the history: a short one may just be a page
    // the node cut early.
    if (page.length === 0) break;
    pageBefore = page[page.length - 1]?.signature;

    const todo: SignatureInfo[] = [];
    let belowRange = false;
    for (const info of page) {
      if (info.slot > range.end || info.slot > slot) continue;
      if (info.slot < range.start) {
        belowRange = true;
        break;
      }
      if (info.slot === slot && seen.has(info.signature)) continue;
      todo.push(info);
    }

    // Whole JSON-RPC batches per window, so batching stays at 100 a call.
    const window =
      Math.ceil(Math.max(options.batchSize, FETCH_WINDOW) / CALLS_PER_BATCH) *
      CALLS_PER_BATCH;
    for (let at = 0; at < todo.length; at += window) {
      const infos = todo.slice(at, at + window);
      const wanted = infos.filter((i) => options.includeFailed || !i.err);
      const bodies = await fetchTransactions(rpc, wanted, options);
      for (const info of infos) {
        if (info.slot !== slot) {
          if (last !== null) anchor = last;
          slot = info.slot;
          seen = new Set();
        }
        seen.add(info.signature);
        last = info.signature;
        if (!options.includeFailed && info.err) continue;
        const body = bodies.get(info.signature);
        if (body) {
          records.push(transactionRecord(program, info.signature, body));
        } else {
          gaps.push({
            ref: `${program.address}:${info.signature}`,
            reason:
              `getTransaction returned null ${options.nullRetryDelaysMs.length + 1}` +
              ` times (slot ${info.slot})`,
          });
        }
        if (records.length >= options.batchSize) {
          yield {
            records,
            gaps,
            cursor: { ...cursor() },
            progress: progress(),
          };
          records = [];
          gaps = [];
        }
      }
    }
    if (belowRange) break;
  }

  if (records.length > 0 || gaps.length > 0) {
    yield { records, gaps, cursor: { ...cursor() }, progress: 1 };
  }
}

// ---------------------------------------------------------------------------

/** Bodies by signature; a signature whose body stayed null is absent. */
async function fetchTransactions(
  rpc: ChainRpc,
  infos: SignatureInfo[],
  options: WalkOptions,
): Promise<Map<string, unknown>> {
  const bodies = new Map<string, unknown>();
  let missing = infos.map((info) => info.signature);
  const delays = [0, ...options.nullRetryDelaysMs];
  for (const wait of delays) {
    if (missing.length === 0) break;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const found = await getTransactions(rpc, missing, options);
    missing = missing.filter((signature, i) => {
      const body = found[i];
      if (body) bodies.set(signature, body);
      return !body;
    });
  }
  return bodies;
}

async function getTransactions(
  rpc: ChainRpc,
  signatures: string[],
  options: WalkOptions,
): Promise<unknown[]> {
  const params = (signature: string) => [
    signature,
    {
      encoding: 'json',
      commitment: options.commitment,
      maxSupportedTransactionVersion: 1,
    },
  ];
  if (!options.batchRpc) {
    return inPool(signatures, (s) =>
      rpc.call<unknown>('getTransaction', params(s)),
    );
  }
  const groups: string[][] = [];
  for (let at = 0; at < signatures.length; at += CALLS_PER_BATCH) {
    groups.push(signatures.slice(at, at + CALLS_PER_BATCH));
  }
  const replies = await Promise.all(
    groups.map((group) =>
      rpc.batch(
        group.map((s) => ({ method: 'getTransaction', params: params(s) })),
      ),
    ),
  );
  return replies.flat().map((reply) => {
    if (reply.error) throw nodeError('getTransaction', reply.error);
    return reply.result ?? null;
  });
}

/**
 * Maps `items` with at most IN_FLIGHT calls pending, in order: the limiter
 * bounds the flight too, but a thousand queued waiters each hold an abort
 * listener on the run's signal.
 */
async function inPool<T, R>(
  items: T[],
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await task(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return results;
}
