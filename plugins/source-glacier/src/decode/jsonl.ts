import {
  Carry,
  type DecodedRecord,
  parseRecord,
  type RecordDecoder,
} from './decoded.ts';

const NEWLINE = 0x0a;

/** JSON lines: one object a line; blank lines are skipped. */
export function jsonLinesDecoder(offset: number): RecordDecoder {
  const carry = new Carry(offset);
  // Where the newline search resumes within carry, so that a long line
  // cut into many pieces is scanned once.
  let scanned = 0;
  const emit = (length: number, out: DecodedRecord[]) => {
    const line = carry.bytes.toString('utf8', 0, length);
    if (line.trim().length > 0) {
      out.push(parseRecord(line, carry.offset, carry.offset + length));
    }
  };
  return {
    push(bytes, out) {
      carry.append(bytes);
      for (;;) {
        const nl = carry.bytes.indexOf(NEWLINE, scanned);
        if (nl < 0) {
          scanned = carry.bytes.length;
          return;
        }
        emit(nl, out);
        carry.consume(nl + 1);
        scanned = 0;
      }
    },
    end(out) {
      if (carry.bytes.length > 0) emit(carry.bytes.length, out);
      carry.consume(carry.bytes.length);
    },
  };
}
