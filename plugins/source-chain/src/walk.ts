import type {
  Gap,
  Json,
  SourceBatch,
  SourceRecord,
} from '@backfill/plugin-kit';

import type { Program } from './aliases.ts';
import { PageBodies } from './bodies.ts';
import { transactionRecord } from './record.ts';
import type { ChainRpc } from './rpc.ts';
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

/**
 * The transactions of one program over a slot range, newest first, in
 * batches of `batchSize` records, each with the cursor after it. Pages
 * start at the cursor's `before`, else at `start` (a signature of a slot
 * above the range), else at the tip.
 */
export async function* walkProgram(
  rpc: ChainRpc,
  program: Program,
  range: SlotRange,
  resume: WalkCursor | null,
  start: string | null,
  options: WalkOptions,
): AsyncGenerator<SourceBatch> {
  let slot = resume?.slot ?? Number.POSITIVE_INFINITY;
  let seen = new Set(resume?.seen ?? []);
  let anchor = resume?.before ?? start;
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

  const pageAfter = (before: string | undefined) => {
    const page = rpc.call<SignatureInfo[]>('getSignaturesForAddress', [
      program.address,
      { limit: PAGE_LIMIT, before, commitment: options.commitment },
    ]);
    // The walk may fail before it awaits a page asked for ahead.
    page.catch(() => {});
    return page;
  };
  let nextPage = pageAfter(pageBefore);
  // A node that cannot place a `before` answers an empty page, as it does
  // below the address's first transaction: from the anchor, an empty
  // first page is asked again from the tip before the history ends.
  let fromStart = start !== null && anchor === start;

  for (;;) {
    const page = await nextPage;
    if (page.length === 0 && fromStart) {
      fromStart = false;
      anchor = null;
      nextPage = pageAfter(undefined);
      continue;
    }
    fromStart = false;
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
    // The next page is asked for while this one's transactions come in.
    if (!belowRange) nextPage = pageAfter(pageBefore);

    const wanted = todo.filter((i) => options.includeFailed || !i.err);
    const bodies = new PageBodies(
      rpc,
      wanted.map((i) => i.signature),
      options,
    );
    try {
      for (const info of todo) {
        if (info.slot !== slot) {
          if (last !== null) anchor = last;
          slot = info.slot;
          seen = new Set();
        }
        seen.add(info.signature);
        last = info.signature;
        if (!options.includeFailed && info.err) continue;
        const body = await bodies.body(info.signature);
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
    } finally {
      bodies.stop();
    }
    if (belowRange) break;
  }

  if (records.length > 0 || gaps.length > 0) {
    yield { records, gaps, cursor: { ...cursor() }, progress: 1 };
  }
}
