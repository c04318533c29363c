import {
  Carry,
  type DecodedRecord,
  type DecodedRecords,
  type RecordDecoder,
} from './decoded.ts';

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/**
 * CSV as RFC 4180 writes it: a header row, then one record a row; fields
 * may be quoted, with "" for a quote and line breaks inside quotes. Values
 * stay strings: the archive does not say their types. A resumed decoder
 * gets the header from the cursor.
 */
export function csvDecoder(offset: number, columns?: string[]): RecordDecoder {
  const carry = new Carry(offset);
  let header = columns;
  let at = 0;
  let inQuotes = false;
  let fields: string[] = [];
  let fieldStart = 0;
  let fieldQuoted = false;

  const takeField = (end: number) => {
    let text = carry.bytes.toString('utf8', fieldStart, end);
    if (fieldQuoted)
      text = text.slice(1, text.lastIndexOf('"')).replaceAll('""', '"');
    fields.push(text);
  };

  const closeRow = (end: number, next: number, out: DecodedRecords) => {
    takeField(end);
    const row = fields;
    const blank = row.length === 1 && row[0] === '';
    if (!blank) {
      if (!header) header = row;
      else out.push(toRecord(header, row, carry.offset, carry.offset + end));
    }
    carry.consume(next);
    at = 0;
    fields = [];
    fieldStart = 0;
    fieldQuoted = false;
  };

  const decoder: RecordDecoder = {
    get columns() {
      return header;
    },
    push(bytes, out) {
      carry.append(bytes);
      while (at < carry.bytes.length) {
        const b = carry.bytes[at] as number;
        if (inQuotes) {
          if (b === QUOTE) inQuotes = false; // "" re-enters at once
          at++;
        } else if (b === QUOTE) {
          if (at === fieldStart) fieldQuoted = true;
          inQuotes = true;
          at++;
        } else if (b === COMMA) {
          takeField(at);
          at++;
          fieldStart = at;
          fieldQuoted = false;
        } else if (b === LF) {
          const end =
            at > fieldStart && carry.bytes[at - 1] === CR ? at - 1 : at;
          closeRow(end, at + 1, out);
        } else at++;
      }
    },
    end(out) {
      if (inQuotes) {
        const end = carry.offset + carry.bytes.length;
        out.push({
          value: undefined,
          problem: 'the CSV ends inside a quoted field',
          start: carry.offset,
          end,
        });
        carry.consume(carry.bytes.length);
      } else if (carry.bytes.length > 0) {
        closeRow(carry.bytes.length, carry.bytes.length, out);
      }
    },
  };
  return decoder;
}

function toRecord(
  header: string[],
  row: string[],
  start: number,
  end: number,
): DecodedRecord {
  if (row.length !== header.length) {
    const problem = `a CSV row of ${row.length} fields under a header of ${header.length}`;
    return { value: undefined, problem, start, end };
  }
  const value: { [field: string]: string } = {};
  header.forEach((name, i) => {
    value[name] = row[i] as string;
  });
  return { value, start, end };
}
