/** Appends one reference token to a JSON pointer (RFC 6901). */
export function childPointer(parent: string, token: string | number): string {
  const text = String(token).replaceAll('~', '~0').replaceAll('/', '~1');
  return `${parent}/${text}`;
}

/** The pointer of the parent node; '' stays ''. */
export function parentPointer(pointer: string): string {
  const slash = pointer.lastIndexOf('/');
  return slash <= 0 ? '' : pointer.slice(0, slash);
}

/** The reference tokens of a pointer, unescaped. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The value at `pointer` in `root`, or undefined. Own properties only. */
export function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of pointerTokens(pointer)) {
    if (typeof node !== 'object' || node === null) return undefined;
    if (!Object.hasOwn(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}
