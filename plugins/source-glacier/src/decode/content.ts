import type { ArchiveFormat } from '../params.ts';
import { csvDecoder } from './csv.ts';
import type { RecordDecoder } from './decoded.ts';
import { jsonArrayDecoder } from './json-array.ts';
import { jsonLinesDecoder } from './jsonl.ts';

/** True when the archive starts with gzip's magic bytes. */
export function isGzip(firstBytes: Buffer): boolean {
  return firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
}

/** The format the first content bytes show: `[`, `{`, or else CSV. */
export function detectFormat(firstBytes: Buffer): ArchiveFormat {
  for (const b of firstBytes) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    if (b === 0xef || b === 0xbb || b === 0xbf) continue; // UTF-8 BOM
    if (b === 0x5b) return 'json';
    if (b === 0x7b) return 'jsonl';
    return 'csv';
  }
  return 'jsonl';
}

/** A decoder at `offset`; `resume` means between two records. */
export function decoderFor(
  format: ArchiveFormat,
  offset: number,
  resume: boolean,
  columns?: string[],
): RecordDecoder {
  if (format === 'json') return jsonArrayDecoder(offset, resume);
  if (format === 'csv') return csvDecoder(offset, columns);
  return jsonLinesDecoder(offset);
}
