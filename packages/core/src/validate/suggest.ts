import { distance } from 'fastest-levenshtein';

/**
 * The candidate nearest to `name`, when it is near enough to be what the
 * user meant: a typo, not a different word.
 */
export function didYouMean(
  name: string,
  candidates: Iterable<string>,
): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** `source.with.programs[0]` for `/source/with/programs/0`. */
export function describePointer(pointer: string): string {
  if (pointer === '') return 'the document';
  let out = '';
  for (const token of pointer.slice(1).split('/')) {
    const name = token.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(name) ? `[${name}]` : out ? `.${name}` : name;
  }
  return out;
}

/** `"a", "b" or "c"`. */
export function listOf(names: readonly string[], word = 'or'): string {
  const quoted = names.map((n) => JSON.stringify(n));
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${word} ${quoted.at(-1)}`;
}
