import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { get } from './helpers.ts';

const CLI = fileURLToPath(
  new URL('../../packages/cli/bin/backfill.js', import.meta.url),
);

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'backfill-start-cli-'));
  mkdirSync(join(project, 'pipelines'));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** A pipeline that is due once a year: the daemon schedules, never runs it. */
function writePipeline(name: string): void {
  writeFileSync(
    join(project, 'pipelines', `${name}.yaml`),
    [
      'version: 1',
      `name: ${name}`,
      'schedule: "0 0 1 1 *"',
      'source:',
      '  use: off-chain',
      '  with: { api_endpoint: "http://127.0.0.1:9/never" }',
      '',
    ].join('\n'),
  );
}

/** The daemon as a child process, and its JSON log lines as they come. */
function startDaemon() {
  const child = spawn(process.execPath, [CLI, 'start', '--port', '0'], {
    cwd: project,
    env: { ...process.env, CI: '1', BACKFILL_PORT: '' },
  });
  const lines: Array<Record<string, unknown>> = [];
  const stdout: string[] = [];
  child.stdout.on('data', (data: Buffer) => stdout.push(data.toString()));
  let buffer = '';
  child.stderr.on('data', (data: Buffer) => {
    buffer += data.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part));
      } catch {
        lines.push({ msg: part });
      }
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => resolve(code)),
  );
  return {
    child,
    lines,
    stdout,
    exited,
    logged: (msg: string) => logged(lines, msg),
    /** Stdout once a whole line is there: it comes on its own pipe, so it
     * may arrive after a log line written before it. */
    printed: async (): Promise<string> => {
      while (!stdout.join('').includes('\n')) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return stdout.join('');
    },
  };
}

/** Resolves with the first log line of that message. */
async function logged(
  lines: Array<Record<string, unknown>>,
  msg: string,
): Promise<Record<string, unknown>> {
  for (;;) {
    const line = lines.find((l) => l.msg === msg);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function statusOf(port: number) {
  return JSON.parse((await get(port, '/status')).text) as {
    pipelines: Array<{ name: string; nextRunAt: string }>;
  };
}

describe('backfill start as a process', () => {
  let daemon: ReturnType<typeof startDaemon> & { child: ChildProcess };

  it('serves, reloads on SIGHUP and stops cleanly on SIGTERM', async () => {
    writePipeline('alpha');
    daemon = startDaemon();
    const started = await daemon.logged('daemon started');
    const port = started.port as number;
    expect(started.pipelines).toEqual(['alpha']);
    expect(await daemon.printed()).toBe(
      `listening on http://127.0.0.1:${port}\n`,
    );

    expect((await get(port, '/healthz')).status).toBe(200);
    expect((await statusOf(port)).pipelines.map((p) => p.name)).toEqual([
      'alpha',
    ]);

    writePipeline('beta');
    writeFileSync(
      join(project, 'pipelines', 'delta.yaml'),
      'version: 1\nname: delta\nenabled: false\nsource:\n' +
        '  use: off-chain\n  with: { api_endpoint: "http://127.0.0.1:9/" }\n',
    );
    daemon.child.kill('SIGHUP');
    const reloaded = await daemon.logged('pipelines reloaded');
    expect(reloaded.pipelines).toEqual(['alpha', 'beta']);
    // Left out, but said: a disabled pipeline is not a silent one.
    expect(
      daemon.lines.find((l) => l.code === 'PIPELINE_DISABLED'),
    ).toMatchObject({
      level: 'warn',
      pipeline: 'delta',
      msg: 'pipeline disabled (enabled: false): not scheduled',
    });
    expect(
      (await statusOf(port)).pipelines.map((p) => [p.name, p.nextRunAt]),
    ).toEqual([
      ['alpha', `${new Date().getUTCFullYear() + 1}-01-01T00:00:00.000Z`],
      ['beta', `${new Date().getUTCFullYear() + 1}-01-01T00:00:00.000Z`],
    ]);

    writeFileSync(
      join(project, 'pipelines', 'gamma.yaml'),
      'version: 1\nname: gamma\nschedule: "every day"\nsource:\n' +
        '  use: off-chain\n  with: { api_endpoint: "http://127.0.0.1:9/" }\n',
    );
    daemon.child.kill('SIGHUP');
    const failed = await daemon.logged(
      'reload failed, keeping the pipelines loaded before',
    );
    expect(failed).toMatchObject({
      code: 'START_INVALID_PIPELINES',
      errors: 1,
    });
    const detail = daemon.lines.find((l) => l.at !== undefined);
    expect(detail).toMatchObject({
      level: 'error',
      code: 'CRON_INVALID',
      at: 'pipelines/gamma.yaml:3:11',
      msg:
        'schedule: "every day" has 2 fields; a schedule has 5 ' +
        '(minute hour day month weekday) or 6 (seconds first)',
    });
    rmSync(join(project, 'pipelines', 'gamma.yaml'));

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(await daemon.logged('daemon stopped')).toMatchObject({
      clean: true,
      abandoned: [],
    });
  });
});

describe('backfill start with only disabled pipelines', () => {
  it('refuses before arming anything, and logs no stop', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'backfill-start-disabled-'));
    try {
      mkdirSync(join(bare, 'pipelines'));
      writeFileSync(
        join(bare, 'pipelines', 'off.yaml'),
        'version: 1\nname: off\nenabled: false\nsource:\n' +
          '  use: off-chain\n  with: { api_endpoint: "http://127.0.0.1:9/" }\n',
      );
      const child = spawn(process.execPath, [CLI, 'start', '--port', '0'], {
        cwd: bare,
        env: { ...process.env, CI: '1', BACKFILL_PORT: '' },
      });
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
      });
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect([code, stderr]).toEqual([
        1,
        'backfill: no enabled pipeline to schedule (disabled: off): set ' +
          'enabled: true, or add a pipeline file under pipelines/, a job ' +
          'list with --config, or BACKFILL_JOBS\n',
      ]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe('backfill start with a disabled job in BACKFILL_JOBS', () => {
  it('says it is not scheduled, at its place in the variable', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'backfill-start-jobs-'));
    const job = (name: string, enabled: boolean) => ({
      name,
      enabled,
      schedule: '0 0 1 1 *',
      request: {
        source: 'off-chain',
        off_chain_params: { api_endpoint: 'http://127.0.0.1:9/' },
      },
    });
    try {
      const child = spawn(process.execPath, [CLI, 'start', '--port', '0'], {
        cwd: bare,
        env: {
          ...process.env,
          CI: '1',
          BACKFILL_PORT: '',
          BACKFILL_JOBS: JSON.stringify([job('on', true), job('off', false)]),
        },
      });
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
      });
      while (!stderr.includes('daemon started')) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
      const disabled = stderr
        .split('\n')
        .filter((line) => line.includes('JOB_DISABLED'))
        .map((line) => JSON.parse(line));
      expect(disabled).toEqual([
        expect.objectContaining({
          level: 'warn',
          job: 'off',
          place: expect.stringMatching(/^\$BACKFILL_JOBS:1:\d+$/),
          msg: 'job disabled (enabled: false): not scheduled',
        }),
      ]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
