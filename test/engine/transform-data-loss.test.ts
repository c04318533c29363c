/**
 * A transform that would lose data says so in the run: a pick with a
 * misspelt field stores nothing over earlier rows, a dedupe on a missing
 * field keeps every record, and a filter that keeps nothing is counted
 * in the summary and warned about at the end.
 */
import { join } from 'node:path';

import sqlite from '@backfill/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';

import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';
import { captureLogger, type LoggedLine } from '../support/capture-logger.ts';
import { cli, writeCountProject } from './cli.ts';
import { countingPipeline, query, tempFolder } from './helpers.ts';

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

const dbOf = (cwd: string) => join(cwd, '.backfill/backfill.db');
const rowOf = (cwd: string, key: string) =>
  query(dbOf(cwd), 'SELECT data FROM counting WHERE key = ?', key);

describe('a pick whose fields no record has', () => {
  it('fails the chunk and leaves the stored rows as they were', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    expect((await cli(folder.cwd, 'run')).code).toBe(0);

    writeCountProject(folder.cwd, {
      transform: ['{ use: pick, with: { fields: [slott] } }'],
    });
    const again = await cli(folder.cwd, 'run', '--reprocess', 'all');
    expect(again.code).toBe(1);
    expect(again.stdout).toBe(
      'count: failed, 0 records stored, 0 dead-lettered; chunks 0 done, ' +
        '1 failed, 0 pending, 0 already done (TRANSFORM_PICK_EMPTY: pick ' +
        '(pipeline count): the record has none of "slott"; it is ' +
        'dead-lettered rather than stored empty over the stored row: ' +
        'check the field names against a fetched record)\n',
    );
    expect(rowOf(folder.cwd, 'slot-5')).toEqual([
      { data: '{"slot":5,"parity":"odd"}' },
    ]);
  });
});

describe('a dedupe by a field no record has', () => {
  it('stores every record', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd, {
      transform: ['{ use: dedupe, with: { by: nosuch } }'],
    });
    const { code, stdout } = await cli(folder.cwd, 'run', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).runs[0]).toMatchObject({
      recordsFetched: 1000,
      recordsStored: 1000,
      recordsFiltered: 0,
    });
  });
});

describe('a filter that keeps no record', () => {
  it('says how many it filtered out, in the line and in --json', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd, {
      transform: ['{ use: filter, with: { where: "slott > 5" } }'],
    });
    expect(await cli(folder.cwd, 'run')).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'count: succeeded, 0 records stored, 0 dead-lettered, 1000 of ' +
        '1000 fetched filtered out by transforms; chunks 1 done, 0 ' +
        'failed, 0 pending, 0 already done\n',
    });

    const json = await cli(folder.cwd, 'run', '--json', '--reprocess', 'all');
    expect(JSON.parse(json.stdout).runs[0]).toMatchObject({
      recordsFetched: 1000,
      recordsStored: 0,
      recordsFiltered: 1000,
    });
  });

  it('warns once, at the end of the run, naming the expression', async () => {
    folder = tempFolder();
    const lines: LoggedLine[] = [];
    const spec = countingPipeline({
      transform: [
        { use: 'set', with: { fields: { network: 'mainnet' } } },
        { use: 'filter', with: { where: 'slott > 5' } },
      ],
    });
    const summary = await runPipeline(spec, {
      registry: registryOf([counting, sqlite]),
      cwd: folder.cwd,
      logger: captureLogger(lines),
    });
    expect(summary).toMatchObject({
      status: 'succeeded',
      recordsFetched: 1000,
      recordsStored: 0,
      recordsFiltered: 1000,
    });
    expect(lines.filter(([level]) => level === 'warn')).toEqual([
      [
        'warn',
        {
          code: 'TRANSFORM_DROPPED_ALL',
          step: 2,
          use: 'filter',
          received: 1000,
        },
        'transform 2 (filter "slott > 5") dropped all 1000 records of the ' +
          'run, so none were stored: check its field names against a ' +
          'fetched record',
      ],
    ]);
  });

  it('does not warn when it keeps some', async () => {
    folder = tempFolder();
    const lines: LoggedLine[] = [];
    const spec = countingPipeline({
      transform: [{ use: 'filter', with: { where: 'slot >= 990' } }],
    });
    const summary = await runPipeline(spec, {
      registry: registryOf([counting, sqlite]),
      cwd: folder.cwd,
      logger: captureLogger(lines),
    });
    expect(summary).toMatchObject({ recordsStored: 10, recordsFiltered: 990 });
    expect(lines.filter(([level]) => level === 'warn')).toEqual([]);
  });
});
