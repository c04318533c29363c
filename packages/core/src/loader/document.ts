import { readFile, stat } from 'node:fs/promises';

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  parse as parseYaml,
  Scalar,
} from 'yaml';

import type { ErrorCode } from '../errors/codes.ts';
import type { Diagnostic } from '../errors/diagnostic.ts';
import { quote } from '../errors/quote.ts';
import { type EnvOptions, resolveEnv } from './env.ts';
import { childPointer, parentPointer } from './pointer.ts';

/** Files larger than this are refused before they are parsed. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Nodes that aliases may add in all, past which a file is refused. */
export const MAX_ALIAS_NODES = 10_000;

export interface Place {
  line: number;
  column: number;
}

/**
 * A YAML or JSON text turned into plain data, `${VAR}` resolved, with the
 * source position of every node kept by JSON pointer.
 */
export interface LoadedDocument {
  file: string;
  text: string;
  value: unknown;
  diagnostics: Diagnostic[];
  /** A syntax error stopped loading; no other check should run. */
  fatal: boolean;
  /** Values resolved from the environment, to redact. */
  secrets: string[];
  /** Pointers whose value is an unresolved `--no-env` placeholder. */
  placeholders: Set<string>;
  /** Where a node (or its nearest existing ancestor) starts. */
  locate(pointer: string, part?: 'key' | 'value'): Place;
}

export interface LoadOptions extends EnvOptions {
  /**
   * Hold the text to strict JSON (a .json file, `BACKFILL_JOBS`): YAML
   * would accept a trailing comma or a comment that JSON.parse refuses.
   */
  json?: boolean;
}

/** Reads and loads a file, refusing one over MAX_FILE_BYTES unread. */
export async function loadFile(
  path: string,
  options: LoadOptions,
  displayName = path,
): Promise<LoadedDocument> {
  try {
    const { size } = await stat(path);
    if (size > MAX_FILE_BYTES) {
      return failed(
        displayName,
        'FILE_TOO_LARGE',
        `file is ${size} bytes; the limit is ${MAX_FILE_BYTES} (1 MiB)`,
      );
    }
    const json = options.json ?? path.endsWith('.json');
    const bytes = await readFile(path);
    const binary = notText(bytes, displayName);
    if (binary) return failedWith(displayName, '', [binary]);
    return loadText(bytes.toString('utf8'), displayName, { ...options, json });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return failed(displayName, 'FILE_UNREADABLE', `cannot read: ${reason}`);
  }
}

/** Loads YAML 1.2 (JSON is read by the same parser, with positions). */
export function loadText(
  text: string,
  file: string,
  options: LoadOptions,
): LoadedDocument {
  if (text.length > MAX_FILE_BYTES) {
    return failed(
      file,
      'FILE_TOO_LARGE',
      `text is ${text.length} characters; the limit is ${MAX_FILE_BYTES}`,
    );
  }
  if (options.json) {
    const error = strictJsonError(text);
    if (error) {
      return failedWith(file, text, [
        {
          code: 'SYNTAX_ERROR',
          severity: 'error',
          message: error.message,
          file,
          ...placeOf(text, error.offset),
          pointer: '',
        },
      ]);
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    version: '1.2',
  });
  const at = (offset: number): Place => {
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };

  const diagnostics: Diagnostic[] = [];
  let fatal = false;
  for (const error of doc.errors) {
    // Duplicate keys are reported by the builder, with their pointer.
    if (error.code === 'DUPLICATE_KEY') continue;
    const code: ErrorCode =
      error.code === 'MULTIPLE_DOCS' ? 'MULTIPLE_DOCUMENTS' : 'SYNTAX_ERROR';
    fatal = true;
    diagnostics.push({
      code,
      severity: 'error',
      message: messageOf(code, error.message),
      file,
      ...at(error.pos[0]),
      pointer: '',
    });
  }
  if (fatal) {
    // Reported alone: later checks would only echo the syntax error.
    return failedWith(file, text, diagnostics.slice(0, 1));
  }
  if (doc.contents === null) {
    return failed(file, 'EMPTY_FILE', 'the file holds no document', text);
  }

  const builder = new Builder(doc, text, file, options, at);
  const value = builder.build(doc.contents as Node, '');
  diagnostics.push(...builder.diagnostics);
  const positions = builder.positions;

  return {
    file,
    text,
    value,
    diagnostics,
    fatal: builder.fatal,
    secrets: [...new Set(builder.secrets)],
    placeholders: builder.placeholders,
    locate(pointer, part = 'value') {
      let p = pointer;
      for (;;) {
        const node = positions.get(p);
        if (node) {
          const useKey = part === 'key' && node.key !== undefined;
          return at(useKey ? node.key! : node.start);
        }
        if (p === '') return { line: 1, column: 1 };
        p = parentPointer(p);
        part = 'key';
      }
    },
  };
}

// ---------------------------------------------------------------------------

interface NodeRange {
  start: number;
  key?: number;
}

class Builder {
  readonly diagnostics: Diagnostic[] = [];
  readonly positions = new Map<string, NodeRange>();
  readonly secrets: string[] = [];
  readonly placeholders = new Set<string>();
  fatal = false;
  #aliasDepth = 0;
  #aliasNodes = 0;
  /** Where the outermost alias being expanded is: the bomb's fuse. */
  #aliasAt = 0;

  constructor(
    readonly doc: Document,
    readonly text: string,
    readonly file: string,
    readonly options: LoadOptions,
    readonly at: (offset: number) => Place,
  ) {}

  build(node: Node | null, pointer: string, keyOffset?: number): unknown {
    if (this.fatal) return undefined;
    if (this.#aliasDepth > 0 && ++this.#aliasNodes > MAX_ALIAS_NODES) {
      this.fail('ALIAS_LIMIT', pointer, this.#aliasAt);
      return undefined;
    }
    const start = node?.range?.[0] ?? keyOffset ?? 0;
    if (!this.positions.has(pointer) || this.#aliasDepth === 0) {
      this.positions.set(pointer, { start, key: keyOffset });
    }
    if (node === null) return null;
    if (isAlias(node)) return this.alias(node, pointer, start);
    if (isMap(node)) return this.mapping(node, pointer);
    if (isSeq(node)) {
      return node.items.map((item, i) =>
        this.build(item as Node, childPointer(pointer, i)),
      );
    }
    if (isScalar(node)) return this.scalar(node, pointer);
    return null;
  }

  mapping(node: Node & { items: unknown[] }, pointer: string): unknown {
    // A plain object whose keys are own data properties, so that
    // `__proto__` or `constructor` in a file can never reach a prototype.
    const out: Record<string, unknown> = {};
    for (const pair of node.items as Array<{ key: Node; value: Node }>) {
      const key = isScalar(pair.key)
        ? String(pair.key.value)
        : String(pair.key ?? '');
      const keyOffset = pair.key?.range?.[0] ?? 0;
      const child = childPointer(pointer, key);
      if (Object.hasOwn(out, key)) {
        this.diagnostics.push({
          code: 'DUPLICATE_KEY',
          severity: 'error',
          message: `duplicate key ${quote(key)}: keys must be unique`,
          file: this.file,
          ...this.at(keyOffset),
          pointer: child,
          hint: 'remove one of the two; the first is the one checked',
        });
        continue;
      }
      const value = this.build(pair.value ?? null, child, keyOffset);
      // Only `__proto__` has a setter on Object.prototype; defining every
      // key that way would leave objects slow (dictionary mode).
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = value;
      }
    }
    return out;
  }

  scalar(node: Scalar, pointer: string): unknown {
    if (typeof node.value !== 'string') return node.value;
    const env = resolveEnv(node.value, this.options);
    if (
      env.value === node.value &&
      env.problems.length === 0 &&
      !env.placeholder
    ) {
      return node.value;
    }
    this.secrets.push(...env.resolved);
    // A placeholder, or an unset variable already reported, is not checked
    // further: its value is not the one a run would see.
    if (env.placeholder || env.problems.length) this.placeholders.add(pointer);
    for (const problem of env.problems) {
      const offset = this.offsetOf(node, problem.occurrence);
      this.diagnostics.push({
        code: problem.code,
        severity: 'error',
        message: problem.message,
        file: this.file,
        ...this.at(offset),
        pointer,
      });
    }
    // `batch_size: ${SIZE:-500}` unquoted reads as the number it would be
    // if written inline; a quoted scalar stays a string.
    if (env.whole && node.type === Scalar.PLAIN && !env.placeholder) {
      return retype(env.value);
    }
    return env.value;
  }

  alias(node: Node, pointer: string, start: number): unknown {
    const target = (node as unknown as { resolve(d: Document): Node }).resolve(
      this.doc,
    );
    if (!target) {
      this.fail('UNKNOWN_ANCHOR', pointer, start);
      return undefined;
    }
    if (this.#aliasDepth === 0) this.#aliasAt = start;
    this.#aliasDepth++;
    try {
      return this.build(target, pointer, start);
    } finally {
      this.#aliasDepth--;
    }
  }

  /** Offset of the n-th `${` inside the scalar's source text. */
  offsetOf(node: Scalar, occurrence: number): number {
    const [start, end] = node.range ?? [0, 0];
    const raw = this.text.slice(start, end);
    let index = -1;
    for (let n = 0; n <= occurrence; n++) {
      index = raw.indexOf('${', index + 1);
      if (index === -1) return start;
    }
    // Point at the `$` of `${`, or at the first `$` of `$${`.
    return start + (raw[index - 1] === '$' ? index - 1 : index);
  }

  fail(code: 'ALIAS_LIMIT' | 'UNKNOWN_ANCHOR', pointer: string, at: number) {
    this.fatal = true;
    this.diagnostics.push({
      code,
      severity: 'error',
      message:
        code === 'ALIAS_LIMIT'
          ? `aliases expand to more than ${MAX_ALIAS_NODES} nodes; ` +
            'refusing to expand the file (an alias bomb?)'
          : 'alias names an anchor that is not defined before it',
      file: this.file,
      ...this.at(at),
      pointer,
    });
  }
}

/**
 * NOT_TEXT for bytes that are not UTF-8 text (a NUL byte, or a sequence
 * UTF-8 forbids), at the first such byte; null for text. Said once, so
 * that a binary file given by mistake does not echo itself as errors.
 */
function notText(bytes: Buffer, file: string): Diagnostic | null {
  const nul = bytes.indexOf(0);
  let bad = nul;
  let what = 'a NUL byte';
  const head = nul === -1 ? bytes : bytes.subarray(0, nul);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    bad = firstInvalidUtf8(head);
    what = 'bytes that are not UTF-8';
  }
  if (bad === -1) return null;
  const before = bytes.subarray(0, bad).toString('utf8');
  return {
    code: 'NOT_TEXT',
    severity: 'error',
    message:
      `not a text file: ${what} at offset ${bad}; ` +
      'a pipeline or job list is YAML or JSON text in UTF-8',
    file,
    ...placeOf(before, before.length),
    pointer: '',
    hint: 'check the path: is this the file you meant?',
  };
}

/** Offset of the first byte where UTF-8 decoding fails. */
function firstInvalidUtf8(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  // The longest prefix that could still be text, found by halving:
  // decoding is all or nothing. A prefix that stops inside a character
  // is not an error in stream mode.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), {
        stream: true,
      });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  // A character cut short by the bad byte is where the fault starts.
  for (let k = low - 1; k >= 0 && k >= low - 3; k--) {
    const byte = bytes[k]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return low - k < length ? k : low;
  }
  return low;
}

/** JSON.parse's complaint about a text and where, or null when it is JSON. */
function strictJsonError(
  text: string,
): { message: string; offset: number } | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    return {
      message: `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`,
      offset: position ? Number(position[1]) : text.length,
    };
  }
}

function placeOf(text: string, offset: number): Place {
  const before = text.slice(0, Math.min(offset, text.length));
  const line = before.split('\n').length;
  return { line, column: before.length - before.lastIndexOf('\n') };
}

/** What YAML 1.2's core schema reads as a number, a boolean or null. */
const CORE_SCALAR =
  /^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+|[-+]?\.inf|\.nan|true|false|null|~)$/i;

function retype(text: string): unknown {
  if (!CORE_SCALAR.test(text)) return text;
  try {
    const value = parseYaml(text, { version: '1.2' });
    if (typeof value === 'number' || typeof value === 'boolean') return value;
    if (value === null && text.trim() !== '') return null;
  } catch {
    // Not a scalar on its own: keep the string.
  }
  return text;
}

function messageOf(code: ErrorCode, yamlMessage: string): string {
  if (code === 'MULTIPLE_DOCUMENTS') {
    return 'a pipeline file holds one document; remove the `---` separator';
  }
  return yamlMessage.replace(/\s+/g, ' ').trim();
}

function failed(
  file: string,
  code: ErrorCode,
  message: string,
  text = '',
): LoadedDocument {
  const diagnostic: Diagnostic = {
    code,
    severity: 'error',
    message,
    file,
    line: code === 'FILE_UNREADABLE' ? 0 : 1,
    column: code === 'FILE_UNREADABLE' ? 0 : 1,
    pointer: '',
  };
  return failedWith(file, text, [diagnostic]);
}

function failedWith(
  file: string,
  text: string,
  diagnostics: Diagnostic[],
): LoadedDocument {
  return {
    file,
    text,
    value: undefined,
    diagnostics,
    fatal: true,
    secrets: [],
    placeholders: new Set(),
    locate: () => ({ line: 1, column: 1 }),
  };
}
