import { setMaxListeners } from 'node:events';

import type { SourceBatch, SourceContext } from '@backfill/plugin-kit';
import { PluginError } from '@backfill/plugin-kit';

import { type AccountsCursor, snapshotAccounts } from './accounts.ts';
import { aliasTable, type Program, resolveProgram } from './aliases.ts';
import { anchorAbove, type WalkAnchor } from './anchor.ts';
import { isLoopback, resolveEndpoint } from './endpoint.ts';
import type { ChainParams } from './params.ts';
import { ChainRpc } from './rpc.ts';
import { slotRangeOf } from './slots.ts';
import { type WalkCursor, walkProgram } from './walk.ts';

/**
 * Pace on an endpoint when `requests_per_second` is not given: the public
 * mainnet endpoint allows 100 requests per 10 s from one address.
 */
export const DEFAULT_REQUESTS_PER_SECOND = 10;
/** The same for a node on this machine, which no provider limits. */
export const LOOPBACK_REQUESTS_PER_SECOND = 1000;
/** Waits before asking again for a null transaction. */
const NULL_RETRY_DELAYS_MS = [250, 500, 1000];

/** One chunk of the chain source: the SDK-loading half of `fetch`. */
export async function* fetchChain(
  ctx: SourceContext<ChainParams>,
): AsyncGenerator<SourceBatch> {
  const { params } = ctx;
  // Each pending request's limiter wait listens on the chunk's signal: a
  // walk keeps 17 at once, over Node's leak warning at 10.
  setMaxListeners(64, ctx.signal);
  const programs = resolvePrograms(params.programs, ctx.settings);
  const url = resolveEndpoint(params);
  const rpc = new ChainRpc(
    url,
    ctx as SourceContext<unknown>,
    params.requests_per_second ??
      (isLoopback(url)
        ? LOOPBACK_REQUESTS_PER_SECOND
        : DEFAULT_REQUESTS_PER_SECOND),
  );

  if (params.mode === 'accounts') {
    const resume = ctx.cursor as AccountsCursor | null;
    yield* snapshotAccounts(rpc, programs, params, ctx.batchSize, resume);
    return;
  }

  const commitment = params.commitment ?? 'finalized';
  const range = await slotRangeOf(rpc, url, ctx.chunk.range, commitment);
  ctx.logger.debug({ range }, 'chain chunk slots');
  const resume = ctx.cursor as WalkCursor | null;
  let first = 0;
  if (resume) {
    first = programs.findIndex((p) => p.address === resume.program);
    if (first < 0) {
      throw new PluginError(
        `the saved cursor is for program ${resume.program}, which this ` +
          'pipeline no longer lists; rerun the window with --reprocess',
        { code: 'CHAIN_CURSOR_PROGRAM_GONE', errorClass: 'fatal' },
      );
    }
  }
  // One anchor serves every program of the chunk, found when a walk
  // first needs it (a resumed walk pages from its cursor).
  let anchor: Promise<WalkAnchor | null> | undefined;
  const start = async () => {
    anchor ??= anchorAbove(rpc, range.end, commitment).then((found) => {
      ctx.logger.debug({ anchor: found?.slot ?? null }, 'chain walk anchor');
      return found;
    });
    return (await anchor)?.signature ?? null;
  };
  for (let i = first; i < programs.length; i++) {
    const cursor = i === first ? resume : null;
    yield* walkProgram(
      rpc,
      programs[i] as Program,
      range,
      cursor,
      cursor?.before ? null : await start(),
      {
        commitment,
        includeFailed: params.include_failed ?? true,
        batchRpc: params.batch_rpc ?? false,
        batchSize: Math.max(1, ctx.batchSize),
        nullRetryDelaysMs: NULL_RETRY_DELAYS_MS,
      },
    );
  }
}

function resolvePrograms(
  entries: string[],
  settings: Record<string, unknown>,
): Program[] {
  const table = aliasTable(settings);
  return entries.map((entry, index) => {
    const program = resolveProgram(entry, table);
    if (program) return program;
    throw new PluginError(
      `programs/${index}: "${entry}" is neither an alias nor an address`,
      { code: 'CHAIN_PROGRAM_UNKNOWN', errorClass: 'fatal' },
    );
  });
}
