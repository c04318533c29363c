import type { Json } from '@backfill/plugin-kit';

/**
 * The value at `path` in `value`: a dotted path (`data.items`) or a JSON
 * pointer (`/data/items`). Undefined when any step is missing.
 */
export function readPath(
  value: Json | undefined,
  path: string,
): Json | undefined {
  let current: Json | undefined = value;
  for (const step of splitPath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current)
      ? current[Number(step)]
      : (current as { [key: string]: Json })[step];
  }
  return current;
}

function splitPath(path: string): string[] {
  if (path.startsWith('/')) {
    return path
      .slice(1)
      .split('/')
      .map((step) => step.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  return path.split('.').filter((step) => step !== '');
}
