// The plugin author's path, end to end: a host repository of its own with
// a third-party source plugin installed from a local folder, driven by
// the same commands as docs/write-a-source-plugin.md.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { blocks, COMMANDS } from './guide.ts';
import { installHostRepo, uninstallHostRepo } from './install.ts';

interface WeatherApi {
  url: string;
  close(): Promise<void>;
}

let repo: string;
let api: WeatherApi;
beforeAll(async () => {
  repo = installHostRepo();
  // The plugin's own loopback API, as its author's tests use it.
  const fakeApi = join(repo, 'plugins/source-weather/test/fake-api.js');
  const { startWeatherApi } = (await import(pathToFileURL(fakeApi).href)) as {
    startWeatherApi(): Promise<WeatherApi>;
  };
  api = await startWeatherApi();
});
afterAll(async () => {
  await api.close();
  uninstallHostRepo();
});

interface Shell {
  code: number;
  stdout: string;
  stderr: string;
}

/** One command line, in a folder of the host repository. */
function sh(command: string, cwd = repo, env = {}): Promise<Shell> {
  return new Promise((resolve) => {
    execFile(
      'sh',
      ['-c', command],
      { cwd, env: { ...outsidePnpm(process.env), NO_COLOR: '1', ...env } },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The environment of a plain shell: no settings of the pnpm running us. */
function outsidePnpm(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !/^(npm|pnpm)_/i.test(name)),
  );
}

/** True when the guide shows `output` as one of its text blocks. */
function shownInGuide(output: string): boolean {
  return blocks('text').includes(output);
}

describe('a host repository with its own source plugin', () => {
  it('validate finds the plugin through backfill.config.yaml', async () => {
    const result = await sh(COMMANDS.validate);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      '1 file checked: 1 valid, 0 invalid, 0 errors; 1 pipeline\n',
    );
    expect(shownInGuide(result.stdout)).toBe(true);
    expect(result.code).toBe(0);
  });

  it('a misspelt plugin parameter is reported at its line and column', async () => {
    const result = await sh(COMMANDS.validateMistake);
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain(
      'mistakes/page-size.yaml:11:5: UNKNOWN_KEY unknown key "page_sise" ' +
        'in source.with; did you mean "page_size"?\n',
    );
    expect(shownInGuide(output)).toBe(true);
  });

  it('a value the plugin schema refuses is reported at the value', async () => {
    const result = await sh('npx backfill validate mistakes/station-code.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain(
      'mistakes/station-code.yaml:12:9: INVALID_VALUE ' +
        'source.with.stations[1] "kpdx" is not allowed: expected text ' +
        'matching ^[A-Z0-9]{4}$',
    );
  });

  it('run stores every observation of the window, once', {
    timeout: 180_000,
  }, async () => {
    const run = COMMANDS.run.replace('http://127.0.0.1:8080', api.url);
    const first = await sh(run);
    expect(first.code, first.stderr).toBe(0);
    const summary =
      'stations: succeeded, 48 records stored, 0 dead-lettered; ' +
      'chunks 24 done, 0 failed, 0 pending, 0 already done\n';
    expect(first.stdout).toBe(summary);
    expect(shownInGuide(summary)).toBe(true);

    const query = await sh(COMMANDS.query);
    expect(query.stdout).toBe('48\n');
    expect(shownInGuide(query.stdout)).toBe(true);
    expect(storedRows().slice(0, 2)).toEqual([
      {
        key: 'KPDX:2026-01-01T00:00:00.000Z',
        data: JSON.stringify({
          station: 'KPDX',
          observed_at: '2026-01-01T00:00:00.000Z',
          temperature_c: 5,
          wind_kph: 0,
        }),
      },
      {
        key: 'KPDX:2026-01-01T01:00:00.000Z',
        data: JSON.stringify({
          station: 'KPDX',
          observed_at: '2026-01-01T01:00:00.000Z',
          temperature_c: 7,
          wind_kph: 7,
        }),
      },
    ]);

    const again = await sh(run);
    expect(again.stdout).toBe(
      'stations: succeeded, 0 records stored, 0 dead-lettered; ' +
        'chunks 0 done, 0 failed, 0 pending, 24 already done\n',
    );
    const reprocessed = await sh(`${run} --reprocess all`);
    expect(reprocessed.code, reprocessed.stderr).toBe(0);
    expect(storedRows()).toHaveLength(48);
  });

  it("the plugin's own conformance tests pass", async () => {
    const plugin = join(repo, 'plugins/source-weather');
    expect((await sh(COMMANDS.mkdir)).code).toBe(0);
    const result = await sh(COMMANDS.test, plugin);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('# pass 4\n');
    expect(result.stdout).toContain('# fail 0\n');
  });
});

function storedRows(): Array<{ key: string; data: string }> {
  const db = new Database(join(repo, '.backfill/backfill.db'), {
    readonly: true,
  });
  try {
    return db
      .prepare('SELECT key, data FROM weather ORDER BY key')
      .all() as Array<{ key: string; data: string }>;
  } finally {
    db.close();
  }
}
