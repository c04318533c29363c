import { Carry, type DecodedRecords, type RecordDecoder } from './decoded.ts';

type Mode = 'start' | 'between' | 'value' | 'done';

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isSpace = (b: number) =>
  b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isBom = (b: number) => b === 0xef || b === 0xbb || b === 0xbf;

/**
 * A top-level JSON array, streamed: each element is cut out by a byte scan
 * (depth, strings, escapes) and parsed alone, so the array is never whole
 * in memory. With `resume` it starts after an element, inside the array.
 */
export function jsonArrayDecoder(
  offset: number,
  resume: boolean,
): RecordDecoder {
  const carry = new Carry(offset);
  let mode: Mode = resume ? 'between' : 'start';
  let at = 0; // scan position within carry.bytes
  let depth = 0;
  let inString = false;
  let escaped = false;

  const fail = (problem: string, out: DecodedRecords) => {
    const start = carry.offset + at;
    out.push({
      value: undefined,
      problem,
      start,
      end: carry.offset + carry.bytes.length,
    });
    carry.consume(carry.bytes.length);
    at = 0;
    mode = 'done';
  };

  const closeValue = (out: DecodedRecords) => {
    const text = carry.bytes.toString('utf8', 0, at);
    out.addParsed(text, carry.offset, carry.offset + at);
    carry.consume(at);
    at = 0;
    mode = 'between';
  };

  // Outside an element: whitespace, '[', ',', ']' or an element's start.
  const between = (b: number, out: DecodedRecords) => {
    if (isSpace(b) || isBom(b)) at++;
    else if (mode === 'done')
      fail('bytes after the end of the JSON array', out);
    else if (mode === 'start') {
      if (b === OPEN_ARRAY) {
        mode = 'between';
        at++;
      } else fail('the archive is not a JSON array', out);
    } else if (b === CLOSE_ARRAY) {
      mode = 'done';
      at++;
    } else if (b === COMMA) at++;
    else {
      carry.consume(at);
      at = 0;
      mode = 'value';
      depth = 0;
      inString = false;
      escaped = false;
    }
  };

  // Inside an element: find where it ends.
  const inside = (b: number, out: DecodedRecords) => {
    if (inString) {
      at++;
      if (escaped) escaped = false;
      else if (b === BACKSLASH) escaped = true;
      else if (b === QUOTE) {
        inString = false;
        if (depth === 0) closeValue(out);
      }
      return;
    }
    if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
    else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      if (depth === 0) return closeValue(out); // a bare value ended by ']'
      depth--;
      if (depth === 0) {
        at++;
        return closeValue(out);
      }
    } else if (depth === 0 && (b === COMMA || isSpace(b))) {
      return closeValue(out);
    }
    at++;
  };

  return {
    push(bytes, out) {
      carry.append(bytes);
      while (at < carry.bytes.length) {
        const b = carry.bytes[at] as number;
        if (mode === 'value') inside(b, out);
        else between(b, out);
      }
    },
    end(out) {
      if (mode === 'value') fail('the JSON array ends inside an element', out);
      else if (mode !== 'done') fail('the JSON array is not closed', out);
    },
  };
}
