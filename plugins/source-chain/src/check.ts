import type { ParamProblem } from '@backfill/plugin-kit';

import { aliasTable, resolveProgram } from './aliases.ts';
import { decodeBase58 } from './base58.ts';
import type { ChainParams } from './params.ts';

/**
 * What the schema cannot say about a `with:` block: that each program is a
 * known alias or a 32-byte base58 address, that the slot range is ordered,
 * that account filters come with `mode: accounts`. No network, no SDK.
 */
export function checkParams(
  params: ChainParams,
  settings: Record<string, unknown>,
): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const table = aliasTable(settings);

  (params.programs ?? []).forEach((entry, index) => {
    if (typeof entry !== 'string' || resolveProgram(entry, table)) return;
    problems.push(programProblem(entry, index, Object.keys(table)));
  });

  const { start_block: start, end_block: end } = params;
  if (start !== undefined && end !== undefined && end < start) {
    problems.push({
      pointer: '/end_block',
      code: 'CHAIN_RANGE_REVERSED',
      message:
        `end_block ${end} is below start_block ${start}; ` +
        'both are inclusive slots, the end the higher one',
    });
  }

  if (params.mode !== 'accounts') {
    for (const key of ['data_size', 'memcmp'] as const) {
      if (params[key] === undefined) continue;
      problems.push({
        pointer: `/${key}`,
        code: 'CHAIN_FILTER_NEEDS_ACCOUNTS_MODE',
        message: `${key} filters accounts; set mode: accounts or remove it`,
      });
    }
  }

  (params.memcmp ?? []).forEach((filter, index) => {
    if (typeof filter?.bytes !== 'string') return;
    if (decodeBase58(filter.bytes) !== null) return;
    problems.push({
      pointer: `/memcmp/${index}/bytes`,
      code: 'CHAIN_MEMCMP_NOT_BASE58',
      message: `memcmp bytes "${filter.bytes}" is not base58`,
    });
  });

  return problems;
}

// ---------------------------------------------------------------------------

function programProblem(
  entry: string,
  index: number,
  aliases: string[],
): ParamProblem {
  const near = aliases
    .map((alias) => ({ alias, distance: editDistance(entry, alias) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance)[0];
  const hint = near
    ? `did you mean "${near.alias}"?`
    : `use an alias (${aliases.join(', ')}), add one under ` +
      'program_aliases in the config, or give a base58 address';
  return {
    pointer: `/programs/${index}`,
    code: 'CHAIN_PROGRAM_UNKNOWN',
    message: `"${entry}" is neither a program alias nor an address; ${hint}`,
  };
}

/** Levenshtein distance, case-insensitive: `Marginfy` is near `marginfi`. */
function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, i) => i);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[right.length] as number;
}
