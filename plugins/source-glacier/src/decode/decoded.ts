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
  push(bytes: Buffer, out: DecodedRecords): void;
  /** No more bytes: flush the last record or report a truncated one. */
  end(out: DecodedRecords): void;
  /** CSV only: the header, which a resumed decoder cannot read again. */
  readonly columns?: string[] | undefined;
}

type RecordValue = { [field: string]: Json };

/**
 * Decoded records as parallel arrays, reused from piece to piece: a JSON
 * line is about a hundred bytes, and an object per record on top of its
 * value was a tenth of the time spent reading an archive.
 */
export class DecodedRecords {
  readonly values: Array<RecordValue | undefined> = [];
  readonly problems: Array<string | undefined> = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];

  get length(): number {
    return this.ends.length;
  }

  push(record: DecodedRecord): void {
    this.add(record.value, record.start, record.end, record.problem);
  }

  add(
    value: RecordValue | undefined,
    start: number,
    end: number,
    problem?: string,
  ): void {
    this.values.push(value);
    this.problems.push(problem);
    this.starts.push(start);
    this.ends.push(end);
  }

  /** Parses one JSON text and adds it as a record or a problem. */
  addParsed(text: string, start: number, end: number): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.add(
        undefined,
        start,
        end,
        `invalid JSON: ${(error as Error).message}`,
      );
      return;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      this.add(value as RecordValue, start, end);
    } else this.add(undefined, start, end, 'not a JSON object');
  }

  clear(): void {
    this.values.length = 0;
    this.problems.length = 0;
    this.starts.length = 0;
    this.ends.length = 0;
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
