// The plugin author's path, end to end: a host repository of its own with
// a third-party source plugin installed from a local folder, driven by
// the same commands as docs/write-a-source-plugin.md.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

describe('a host repository with its own source plugin', () => {
  it('npx backfill validate finds the plugin through backfill.config.yaml', async () => {
    const result = await sh('npx --no backfill validate');
    expect(result.stdout + result.stderr).toBe(
      '1 file checked: 1 valid, 0 invalid, 0 errors; 1 pipeline\n',
    );
    expect(result.code).toBe(0);
  });

  it('npx backfill run stores every observation of the window', async () => {
    const result = await sh('npx --no backfill run --json', repo, {
      WEATHER_API_URL: api.url,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'succeeded',
      runs: [{ pipeline: 'stations', recordsStored: 48 }],
    });

    const db = new Database(join(repo, '.backfill/backfill.db'), {
      readonly: true,
    });
    try {
      const rows = db
        .prepare('SELECT key, data FROM weather ORDER BY key')
        .all() as Array<{ key: string; data: string }>;
      expect(rows).toHaveLength(48);
      expect(rows[0]).toEqual({
        key: 'KPDX:2026-01-01T00:00:00.000Z',
        data: JSON.stringify({
          station: 'KPDX',
          observed_at: '2026-01-01T00:00:00.000Z',
          temperature_c: 5,
          wind_kph: 0,
        }),
      });
      expect(rows.at(-1)?.key).toBe('KSEA:2026-01-01T23:00:00.000Z');
    } finally {
      db.close();
    }
  });

  it('a misspelt plugin parameter is reported at its line and column', async () => {
    const result = await sh(
      'npx --no backfill validate mistakes/page-size.yaml',
    );
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain(
      'mistakes/page-size.yaml:11:5: UNKNOWN_KEY unknown key "page_sise" ' +
        'in source.with; did you mean "page_size"?',
    );
  });

  it('a value the plugin schema refuses is reported at the value', async () => {
    const result = await sh(
      'npx --no backfill validate mistakes/station-code.yaml',
    );
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain(
      'mistakes/station-code.yaml:12:9: INVALID_VALUE ' +
        'source.with.stations[1] "kpdx" is not allowed: expected text ' +
        'matching ^[A-Z0-9]{4}$',
    );
  });

  it("the plugin's own conformance tests pass (npm test)", async () => {
    const result = await sh('npm test', join(repo, 'plugins/source-weather'));
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('# pass 4\n');
    expect(result.stdout).toContain('# fail 0\n');
  });
});
