// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax being described, not a template
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { loadFile, loadText } from '../src/loader/document.ts';

const env = { HOME_DIR: '/home/x', TOKEN: 's3cret-token', EMPTY: '' };
const load = (text: string, options = {}) =>
  loadText(text, 'p.yaml', { env, ...options });
const codes = (text: string, options = {}) =>
  load(text, options).diagnostics.map((d) => [d.code, d.line, d.column]);

describe('positions', () => {
  it('keeps the line and column of every YAML node by JSON pointer', () => {
    const doc = load('a: 1\nsource:\n  with:\n    programs: [x, y]\n');
    expect(doc.locate('/source/with/programs/1')).toEqual({
      line: 4,
      column: 19,
    });
    expect(doc.locate('/source/with', 'key')).toEqual({ line: 3, column: 3 });
  });

  it('keeps positions in JSON read through the same parser', () => {
    const doc = loadText('{\n  "a": {\n    "b": [1, true]\n  }\n}', 'p.json', {
      env,
    });
    expect(doc.value).toEqual({ a: { b: [1, true] } });
    expect(doc.locate('/a/b/1')).toEqual({ line: 3, column: 14 });
  });

  it('falls back to the nearest existing ancestor for a missing node', () => {
    const doc = load('source:\n  use: chain\n');
    expect(doc.locate('/source/with/programs')).toEqual({ line: 1, column: 1 });
  });
});

describe('refusals', () => {
  it('reports a syntax error alone and stops', () => {
    const doc = load('a: [1, 2\nb: 1\nb: 2\n');
    expect(doc.fatal).toBe(true);
    expect(doc.diagnostics).toHaveLength(1);
    expect(doc.diagnostics[0]!.code).toBe('SYNTAX_ERROR');
  });

  it('reports each duplicate key at the second key, with the others', () => {
    expect(codes('a: 1\nb: 2\na: 3\nc:\n  d: 1\n  d: 2\n')).toEqual([
      ['DUPLICATE_KEY', 3, 1],
      ['DUPLICATE_KEY', 6, 3],
    ]);
  });

  it('refuses a second document', () => {
    expect(codes('a: 1\n---\nb: 2\n')).toEqual([['MULTIPLE_DOCUMENTS', 2, 1]]);
  });

  it('refuses an empty file', () => {
    expect(codes('# only a comment\n')).toEqual([['EMPTY_FILE', 1, 1]]);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(
        `${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`,
      );
    }
    const started = Date.now();
    const doc = load(`${levels.join('\n')}\n`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(doc.fatal).toBe(true);
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['ALIAS_LIMIT']);
  });

  it('expands a few ordinary aliases', () => {
    const doc = load('base: &b { use: x }\nstore: *b\n');
    expect(doc.diagnostics).toEqual([]);
    expect(doc.value).toEqual({ base: { use: 'x' }, store: { use: 'x' } });
  });

  it('refuses a file over 1 MiB before parsing it, naming its size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-size-'));
    const file = join(dir, 'big.yaml');
    writeFileSync(file, `a: "${'x'.repeat(1024 * 1024)}"\n`);
    const doc = await loadFile(file, { env });
    rmSync(dir, { recursive: true });
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['FILE_TOO_LARGE']);
    expect(doc.diagnostics[0]!.message).toContain('1048582 bytes');
  });

  it('refuses a binary file once, at its first NUL byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-binary-'));
    const file = join(dir, 'a.yaml');
    const elf = Buffer.alloc(20_000, 7);
    elf.write('\x7fELF\x02\x01\x01\x00', 'latin1');
    writeFileSync(file, elf);
    const doc = await loadFile(file, { env }, 'a.yaml');
    rmSync(dir, { recursive: true });
    expect(doc.fatal).toBe(true);
    expect(doc.diagnostics).toEqual([
      {
        code: 'NOT_TEXT',
        severity: 'error',
        message:
          'not a text file: a NUL byte at offset 7; a pipeline or job list ' +
          'is YAML or JSON text in UTF-8',
        file: 'a.yaml',
        line: 1,
        column: 8,
        pointer: '',
        hint: 'check the path: is this the file you meant?',
      },
    ]);
  });

  it('refuses text that is not UTF-8, at the first bad character', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-latin1-'));
    const file = join(dir, 'a.yaml');
    // "café" in Latin-1: é is one byte, 0xE9, a UTF-8 lead with no tail.
    writeFileSync(file, Buffer.from('version: 1\nname: café\n', 'latin1'));
    const doc = await loadFile(file, { env }, 'a.yaml');
    rmSync(dir, { recursive: true });
    expect(doc.diagnostics).toMatchObject([
      {
        code: 'NOT_TEXT',
        line: 2,
        column: 10,
        message: expect.stringContaining(
          'bytes that are not UTF-8 at offset 20',
        ),
      },
    ]);
  });
});

describe('__proto__ and constructor', () => {
  afterAll(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('are plain data and never reach a prototype', () => {
    const doc = load(
      '__proto__:\n  polluted: yes\nconstructor:\n  prototype:\n    polluted: yes\n',
    );
    const value = doc.value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({
      polluted: 'yes',
    });
  });

  it('are plain data in JSON too', () => {
    const doc = loadText('{"__proto__": {"polluted": 1}}', 'p.json', { env });
    expect(Object.hasOwn(doc.value as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('environment variables', () => {
  it('resolves ${VAR}, ${VAR:-default} and $${ in scalar values', () => {
    const doc = load(
      'a: ${HOME_DIR}/data\nb: ${MISSING:-fallback}\nc: $${HOME_DIR}\n' +
        'd: ${EMPTY:-was-empty}\n',
    );
    expect(doc.value).toEqual({
      a: '/home/x/data',
      b: 'fallback',
      c: '${HOME_DIR}',
      d: 'was-empty',
    });
  });

  it('records resolved values as secrets, not defaults', () => {
    const doc = load('a: Bearer ${TOKEN}\nb: ${X:-public}\n');
    expect(doc.secrets).toEqual(['s3cret-token']);
  });

  it('ignores a variable in a comment and in a key', () => {
    const doc = load('# ${NOT_SET}\n${KEY}: 1 # ${ALSO}\n');
    expect(doc.diagnostics).toEqual([]);
    expect(doc.value).toEqual({ '${KEY}': 1 });
  });

  it('reports an unset variable at its own line and column', () => {
    expect(codes('a: 1\nb: "x ${HOME_DIR} ${NOT_SET}"\n')).toEqual([
      ['ENV_UNSET', 2, 19],
    ]);
    expect(codes('a: |\n  line one\n  two ${NOT_SET}\n')).toEqual([
      ['ENV_UNSET', 3, 7],
    ]);
  });

  it('reports ${VAR:?message} with the message', () => {
    const doc = load('a: ${EMPTY:?set EMPTY to the token}\n');
    expect(doc.diagnostics[0]).toMatchObject({
      code: 'ENV_REQUIRED',
      line: 1,
      column: 4,
      message: 'environment variable EMPTY is required: set EMPTY to the token',
    });
  });

  it('reports a malformed reference', () => {
    expect(codes('a: ${1BAD}\nb: ${OPEN\n')).toEqual([
      ['ENV_SYNTAX', 1, 4],
      ['ENV_SYNTAX', 2, 4],
    ]);
  });

  it('reads an unquoted whole reference as the scalar it stands for', () => {
    const doc = load('a: ${SIZE:-500}\nb: "${SIZE:-500}"\nc: ${F:-true}\n');
    expect(doc.value).toEqual({ a: 500, b: '500', c: true });
  });

  it('treats every variable as set with noEnv', () => {
    const doc = load('a: ${NOT_SET}\nb: ${X:-d}\nc: ${R:?must}\n', {
      noEnv: true,
    });
    expect(doc.diagnostics).toEqual([]);
    expect(doc.value).toEqual({ a: '${NOT_SET}', b: 'd', c: '${R:?must}' });
    expect([...doc.placeholders]).toEqual(['/a', '/c']);
  });
});
