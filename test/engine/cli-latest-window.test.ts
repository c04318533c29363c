import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { cli } from './cli.ts';
import { tempFolder } from './helpers.ts';

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

const HOUR = 3_600_000;

/** The planned window of a pipeline without one, in hours. */
async function plannedHours(schedule: string): Promise<number> {
  folder = tempFolder();
  mkdirSync(join(folder.cwd, 'pipelines'));
  writeFileSync(
    join(folder.cwd, 'pipelines/partner.yaml'),
    [
      'version: 1',
      'name: partner',
      schedule,
      'source:',
      '  use: off-chain',
      '  with: { api_endpoint: "http://127.0.0.1:9/offers" }',
      '',
    ].join('\n'),
  );
  const { code, stdout } = await cli(folder.cwd, 'run', '--dry-run', '--json');
  expect(code).toBe(0);
  const { window } = JSON.parse(stdout).plans[0];
  return (Date.parse(window.to) - Date.parse(window.from)) / HOUR;
}

describe('a run without a window', () => {
  it('covers its interval, not a fixed 6 hours', async () => {
    expect(await plannedHours('interval: 1d')).toBe(24);
  });

  it('covers the time between two ticks of its cron', async () => {
    expect(await plannedHours('schedule: "0 2 * * *"')).toBe(24);
  });

  it('covers 6 hours with neither', async () => {
    expect(await plannedHours('')).toBe(6);
  });
});
