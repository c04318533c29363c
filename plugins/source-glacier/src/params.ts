import type { JsonSchema, ParamProblem } from '@backfill/plugin-kit';

/** The `with:` block of `source: { use: glacier }`. */
export interface GlacierParams {
  vault_name: string;
  /** One archive; without it an inventory retrieval lists the vault. */
  archive_id?: string;
  /** A retrieval job to reuse (archive or inventory). */
  job_id?: string;
  /** True: start retrieval jobs when none is live. They are billable. */
  retrieval?: boolean;
  tier?: GlacierTier;
  format?: ArchiveFormat;
  /** The record field that keys each record; default `id`. */
  key_field?: string;
  /** Chooses archives by description instead of creation date. */
  description_pattern?: string;
  /** Longest wait between two DescribeJob polls: `15m`, `30s`. */
  poll_interval?: string;
  /** Bytes per ranged download, in MiB: a power of two. */
  chunk_size?: number;
  region?: string;
  account_id?: string;
}

export type GlacierTier = 'Bulk' | 'Standard' | 'Expedited';
export type ArchiveFormat = 'jsonl' | 'json' | 'csv';

export const DEFAULT_CHUNK_MIB = 64;
export const DEFAULT_POLL_INTERVAL = '15m';
/** Largest range: two ranges at a time are spooled to the temp folder. */
export const MAX_CHUNK_MIB = 512;

export const paramsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['vault_name'],
  properties: {
    vault_name: {
      type: 'string',
      pattern: '^[A-Za-z0-9_.-]{1,255}$',
      description: 'The Glacier vault, e.g. margin-offers-archive',
    },
    archive_id: {
      type: 'string',
      minLength: 1,
      description: 'One archive; without it the vault inventory is used',
    },
    job_id: {
      type: 'string',
      minLength: 1,
      description: 'An existing retrieval job to reuse',
    },
    retrieval: {
      type: 'boolean',
      description: 'Start (billable) retrieval jobs when no live one exists',
    },
    tier: {
      enum: ['Bulk', 'Standard', 'Expedited'],
      description: 'Retrieval tier for new jobs; default Bulk',
    },
    format: {
      enum: ['jsonl', 'json', 'csv'],
      description: 'Archive content; detected when absent (gzip too)',
    },
    key_field: {
      type: 'string',
      minLength: 1,
      description: 'Record field that keys each record; default id',
    },
    description_pattern: {
      type: 'string',
      minLength: 1,
      description: 'Regular expression on archive descriptions',
    },
    poll_interval: {
      type: 'string',
      pattern: '^[0-9]+(ms|s|m|h)$',
      description:
        'Longest wait between job polls: a number with ms, s, m or h, ' +
        'e.g. 15m; default 15m',
    },
    chunk_size: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_CHUNK_MIB,
      description: 'Download range in MiB, a power of two; default 64',
    },
    region: { type: 'string', minLength: 1, description: 'AWS region' },
    account_id: {
      type: 'string',
      minLength: 1,
      description: "AWS account id; default '-' (the credentials' own)",
    },
  },
};

/** Checks the schema cannot express; no network, no AWS SDK. */
export function checkParams(params: GlacierParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const mib = params.chunk_size;
  if (mib !== undefined && !isPowerOfTwo(mib)) {
    problems.push({
      pointer: '/chunk_size',
      code: 'GLACIER_CHUNK_SIZE',
      message:
        `chunk_size ${mib} MiB is not a power of two; tree-hash aligned ` +
        'ranges need 1, 2, 4, 8, ... MiB (default 64)',
    });
  }
  if (params.poll_interval !== undefined) {
    const ms = parseDuration(params.poll_interval);
    if (ms === undefined || ms <= 0) {
      problems.push({
        pointer: '/poll_interval',
        code: 'GLACIER_POLL_INTERVAL',
        message:
          `poll_interval '${params.poll_interval}' is not a duration ` +
          'above zero like 30s, 15m or 1h',
      });
    }
  }
  if (params.description_pattern !== undefined) {
    try {
      new RegExp(params.description_pattern);
    } catch (error) {
      problems.push({
        pointer: '/description_pattern',
        code: 'GLACIER_DESCRIPTION_PATTERN',
        message:
          'description_pattern is not a valid regular expression: ' +
          (error as Error).message,
      });
    }
  }
  if (params.archive_id !== undefined && params.description_pattern) {
    problems.push({
      pointer: '/description_pattern',
      code: 'GLACIER_PATTERN_WITH_ARCHIVE',
      message:
        'description_pattern chooses archives from the inventory; ' +
        'remove it or archive_id',
    });
  }
  return problems;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** `15m` → 900000; undefined when the string is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]+)(ms|s|m|h)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
