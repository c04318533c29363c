/** Characters of a quoted value a message shows before it cuts it short. */
export const MAX_QUOTED = 60;

/**
 * A user's value as a message quotes it: JSON, cut at MAX_QUOTED
 * characters with an ellipsis, so that a binary file or a pasted blob
 * cannot flood the output. Escapes are never split.
 */
export function quote(value: unknown, max = MAX_QUOTED): string {
  if (typeof value !== 'string') {
    const json = JSON.stringify(value) ?? String(value);
    return json.length > max ? `${json.slice(0, max)}…` : json;
  }
  let inner = '';
  for (const char of value) {
    const escaped = JSON.stringify(char).slice(1, -1);
    if (inner.length + escaped.length > max) return `"${inner}…"`;
    inner += escaped;
  }
  return `"${inner}"`;
}
