/**
 * The invalid-input corpus of `backfill validate`: each folder holds one
 * input (pipeline.yaml|json, jobs.json, or BACKFILL_JOBS.txt for the
 * variable), an optional backfill.config.yaml, and expected.json with the
 * exact errors, by code, line and column (and file, when not the input;
 * and message, when the case is about the wording).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { clearPluginCache, loadProject } from '@backfill/core';
import { describe, expect, it } from 'vitest';

import { bundledPlugins } from '../../packages/cli/src/validate/bundled.ts';

interface Expected {
  description: string;
  env?: Record<string, string>;
  noEnv?: boolean;
  errors: Array<{
    code: string;
    line: number;
    column: number;
    file?: string;
    message?: string;
  }>;
}

const here = import.meta.dirname;
const cases = readdirSync(here, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const INPUTS = ['pipeline.yaml', 'pipeline.json', 'jobs.json', 'BACKFILL_JOBS.txt'];

describe('validate corpus', () => {
  it('holds at least 60 invalid inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)('%s', async (name) => {
    const dir = join(here, name);
    const expected: Expected = JSON.parse(
      readFileSync(join(dir, 'expected.json'), 'utf8'),
    );
    const files = readdirSync(dir);
    const input = INPUTS.find((f) => files.includes(f));
    expect(input, `${name} has an input file`).toBeDefined();
    const viaEnv = input === 'BACKFILL_JOBS.txt';
    const env: Record<string, string> = { ...expected.env };
    if (viaEnv) env.BACKFILL_JOBS = readFileSync(join(dir, input!), 'utf8');

    clearPluginCache();
    const project = await loadProject({
      cwd: dir,
      paths: viaEnv ? [] : [input!],
      jobsFromEnv: viaEnv,
      env,
      noEnv: expected.noEnv ?? false,
      bundledPlugins,
    });

    const actual = project.files
      .flatMap((file) =>
        file.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => ({
            code: d.code,
            line: d.line,
            column: d.column,
            ...(file.file === input || file.file === '$BACKFILL_JOBS'
              ? {}
              : { file: file.file.slice(dir.length + 1) }),
            message: d.message,
          })),
      )
      .map(({ message, ...rest }, i) =>
        expected.errors[i]?.message === undefined ? rest : { ...rest, message },
      );
    expect(project.ok).toBe(false);
    expect(actual).toEqual(expected.errors);
  });
});
