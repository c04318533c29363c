import type { Json } from '@backfill/plugin-kit';

/** One record found in the archive's (decompressed) bytes. */
export interface DecodedRecord {
  /** The record, or undefined when its bytes are not a valid record. */
  value: { [field: string]: Json } | undefined;
  /** Why `value` is missing. */
  problem?: string;
  /** Offsets in the decompressed content: [start, end). */
  start: number;
  end: number;
}

/**
 * Turns bytes into records. Bytes arrive in order, cut anywhere; a decoder
 * made with `resume` starts between two records, which is where every
 * cursor points.
 */
export interface RecordDecoder {
  push(bytes: Buffer, out: DecodedRecord[]): void;
  /** No more bytes: flush the last record or report a truncated one. */
  end(out: DecodedRecord[]): void;
  /** CSV only: the header, which a resumed decoder cannot read again. */
  readonly columns?: string[] | undefined;
}

/** Parses one JSON text into a record (an object) or a problem. */
export function parseRecord(
  text: string,
  start: number,
  end: number,
): DecodedRecord {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return { value: value as { [field: string]: Json }, start, end };
    }
    return { value: undefined, problem: 'not a JSON object', start, end };
  } catch (error) {
    return {
      value: undefined,
      problem: `invalid JSON: ${(error as Error).message}`,
      start,
      end,
    };
  }
}

/** Bytes carried between pushes, with their offset in the content. */
export class Carry {
  bytes: Buffer = Buffer.alloc(0);
  /** Offset of bytes[0] in the content. */
  offset: number;

  constructor(offset: number) {
    this.offset = offset;
  }

  append(piece: Buffer): void {
    this.bytes =
      this.bytes.length === 0 ? piece : Buffer.concat([this.bytes, piece]);
  }

  /** Drops the first `n` bytes. */
  consume(n: number): void {
    this.bytes = this.bytes.subarray(n);
    this.offset += n;
  }
}
