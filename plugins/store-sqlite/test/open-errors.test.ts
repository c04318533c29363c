import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { silentLogger } from '@backfill/plugin-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { sqliteStore } from '../src/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'backfill-sqlite-open-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (path: string) =>
  sqliteStore.open({ params: { path }, logger: silentLogger, cwd: dir });

const fix =
  '; set store.with.path to a database file in a folder this process ' +
  'can write';

describe('a path that cannot be the store', () => {
  it('under a file: names the file and the folder that is not one', async () => {
    writeFileSync(join(dir, 'empty.yaml'), '');
    const file = join(dir, 'empty.yaml', 'x.db');
    await expect(open('empty.yaml/x.db')).rejects.toMatchObject({
      code: 'SQLITE_OPEN',
      errorClass: 'fatal',
      message:
        `cannot use ${file} as the SQLite store: a part of its folder ` +
        `${join(dir, 'empty.yaml')} is a file, not a folder${fix}`,
    });
  });

  it('a file that is not a database: says so, with its path', async () => {
    const notes = 'these are my notes, not SQLite\n'.repeat(200);
    writeFileSync(join(dir, 'notes.db'), notes);
    await expect(open('notes.db')).rejects.toMatchObject({
      code: 'SQLITE_OPEN',
      message:
        `cannot use ${join(dir, 'notes.db')} as the SQLite store: the file ` +
        `is not a SQLite database${fix}`,
    });
    // Left as it was: the store writes nothing into a file it refused.
    expect(readFileSync(join(dir, 'notes.db'), 'utf8')).toBe(notes);
  });
});
