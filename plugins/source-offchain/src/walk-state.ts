import type { Json } from '@backfill/plugin-kit';

import { offchainError } from './errors.ts';
import type { Plan } from './pagination.ts';

/**
 * Where a walk stands after a page; it is the cursor the source yields.
 * A crash resumes at the next page: no page fetched twice into the store,
 * none skipped.
 */
export interface WalkState {
  /** Null until the first reply when pagination is detected. */
  plan: Plan | null;
  /** The records' path, fixed by the first reply when detected. */
  records_path: string | null;
  /** The next token (cursor) or URL (link, next_url). */
  next: string | null;
  offset: number;
  /** The page number to ask for next (page style). */
  page: number;
  pages: number;
  records: number;
  /** Fingerprints of tokens and URLs already followed, newest last. */
  seen: string[];
  /** Fingerprint of the last page's record keys, in order. */
  last: string | null;
  done: boolean;
  /** A loop found after the last page was kept: resuming repeats it. */
  halt: { code: 'OFFCHAIN_CURSOR_REPEATED'; message: string } | null;
}

/** Fingerprints kept in the cursor: a resumed walk sees loops this long. */
export const SEEN_KEPT = 1000;

const VERSION = 1;

export function initialState(plan: Plan | null): WalkState {
  return {
    plan,
    records_path: null,
    next: null,
    offset: 0,
    page: plan?.first_page ?? 1,
    pages: 0,
    records: 0,
    seen: [],
    last: null,
    done: false,
    halt: null,
  };
}

export function stateToCursor(state: WalkState): Json {
  const seen = state.seen.slice(-SEEN_KEPT);
  return { v: VERSION, ...state, seen } as unknown as Json;
}

/** The state a stored cursor holds; a cursor of another shape is fatal. */
export function stateFromCursor(cursor: Json): WalkState {
  const value = cursor as { [key: string]: Json } | null;
  if (
    value === null ||
    typeof value !== 'object' ||
    value.v !== VERSION ||
    typeof value.offset !== 'number' ||
    typeof value.page !== 'number' ||
    typeof value.pages !== 'number' ||
    !Array.isArray(value.seen)
  ) {
    throw offchainError(
      'OFFCHAIN_CURSOR_INVALID',
      'fatal',
      'the stored cursor of this chunk was not written by this version of ' +
        'the off-chain source; re-plan the window to start it afresh',
    );
  }
  const { v: _version, ...state } = value;
  // A copy: the walk appends to it, and the stored cursor is not its own.
  return { ...state, seen: [...value.seen] } as unknown as WalkState;
}
