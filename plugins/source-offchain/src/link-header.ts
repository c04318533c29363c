/**
 * The `rel="next"` target of an RFC 8288 Link header, or null. Several
 * Link headers and several links in one header are both handled.
 */
export function nextLink(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header.join(',') : header;
  for (const match of text.matchAll(/<([^>]*)>\s*((?:;[^,<]*)*)/g)) {
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return match[1] ?? null;
  }
  return null;
}
