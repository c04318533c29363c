import { isAscii } from 'node:buffer';

import type { DecodedRecords, RecordDecoder } from './decoded.ts';

const NEWLINE = 0x0a;
const OPEN_OBJECT = 0x7b;

/**
 * JSON lines: one object a line; blank lines are skipped. Newlines are
 * found in the bytes; the complete lines of a piece become one string when
 * they are ASCII (string index = byte offset), so that each record is a
 * slice of it rather than a string of its own. Only a line cut between two
 * pieces is copied.
 */
export function jsonLinesDecoder(offset: number): RecordDecoder {
  // Content offset of the next byte not yet part of an emitted line.
  let at = offset;
  // The start of a line cut at the end of the last piece(s).
  let tail: Buffer[] = [];
  let tailBytes = 0;

  const pushLine = (line: Buffer, out: DecodedRecords) => {
    if (!isBlankBytes(line, 0, line.length)) {
      const text = line.toString('utf8');
      out.addParsed(text, at, at + line.length);
    }
    at += line.length + 1;
  };

  return {
    push(bytes, out) {
      let from = 0;
      if (tailBytes > 0) {
        const nl = bytes.indexOf(NEWLINE);
        if (nl < 0) {
          tail.push(Buffer.from(bytes));
          tailBytes += bytes.length;
          return;
        }
        tail.push(bytes.subarray(0, nl));
        pushLine(Buffer.concat(tail, tailBytes + nl), out);
        tail = [];
        tailBytes = 0;
        from = nl + 1;
      }
      const last = bytes.lastIndexOf(NEWLINE);
      if (last >= from) {
        const lines = bytes.subarray(from, last + 1);
        if (isAscii(lines)) pushAsciiLines(lines, at, out);
        else pushUtf8Lines(lines, at, out);
        at += lines.length;
        from = last + 1;
      }
      if (from < bytes.length) {
        // A copy: a slice would keep the whole piece alive.
        tail.push(Buffer.from(bytes.subarray(from)));
        tailBytes += bytes.length - from;
      }
    },
    end(out) {
      if (tailBytes > 0) pushLine(Buffer.concat(tail, tailBytes), out);
      tail = [];
      tailBytes = 0;
    },
  };
}

// ---------------------------------------------------------------------------

/** Lines ending with a newline each, ASCII: one string, sliced. */
function pushAsciiLines(
  lines: Buffer,
  offset: number,
  out: DecodedRecords,
): void {
  const text = lines.toString('latin1');
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    if (
      text.charCodeAt(start) === OPEN_OBJECT ||
      !isBlankText(text, start, nl)
    ) {
      out.addParsed(text.slice(start, nl), offset + start, offset + nl);
    }
    start = nl + 1;
  }
}

/** Lines ending with a newline each, with multi-byte characters. */
function pushUtf8Lines(
  lines: Buffer,
  offset: number,
  out: DecodedRecords,
): void {
  let start = 0;
  while (start < lines.length) {
    const nl = lines.indexOf(NEWLINE, start);
    if (!isBlankBytes(lines, start, nl)) {
      const text = lines.toString('utf8', start, nl);
      out.addParsed(text, offset + start, offset + nl);
    }
    start = nl + 1;
  }
}

function isBlankText(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

function isBlankBytes(bytes: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
