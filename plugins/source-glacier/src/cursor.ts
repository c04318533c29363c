import type { Json } from '@backfill/plugin-kit';

import type { ArchiveFormat } from './params.ts';
import type { TreeNode } from './tree-hash.ts';

/** An archive the chunk must read. */
export interface ArchiveRef {
  id: string;
  size?: number;
  treeHash?: string;
}

/** Where reading the current archive stands, exactly. */
export interface ArchivePosition {
  archive: string;
  /** End of the last stored record, in decompressed content bytes. */
  offset: number;
  /** Tree stack of the verified ranges before offset's range. */
  stack: TreeNode[];
  format: ArchiveFormat;
  gzip: boolean;
  /** The CSV header, which a resume past it cannot read again. */
  columns?: string[];
  /** Records stored from this archive so far. */
  records: number;
}

/**
 * The source's cursor. Job ids are saved the moment they exist, so that a
 * crash never leads to a second, billable job.
 */
export interface GlacierCursor {
  v: 1;
  inventoryJob?: string;
  /** Archives left to read, the current one first; unset before listing. */
  archives?: ArchiveRef[];
  /** Archives chosen for the chunk, for progress. */
  total?: number;
  /** Retrieval job per archive id. */
  jobs: Record<string, string>;
  position?: ArchivePosition;
}

/** The cursor the engine handed back, or a fresh one. */
export function readCursor(value: Json | null): GlacierCursor {
  if (
    value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    value.v === 1
  ) {
    return structuredClone(value) as unknown as GlacierCursor;
  }
  return { v: 1, jobs: {} };
}

/** A snapshot of the cursor as Json, safe from later changes. */
export function toJson(cursor: GlacierCursor): Json {
  return JSON.parse(JSON.stringify(cursor)) as Json;
}
