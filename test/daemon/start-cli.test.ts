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
  return { child, lines, exited, logged: (msg: string) => logged(lines, msg) };
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

    expect((await get(port, '/healthz')).status).toBe(200);
    expect((await statusOf(port)).pipelines.map((p) => p.name)).toEqual([
      'alpha',
    ]);

    writePipeline('beta');
    daemon.child.kill('SIGHUP');
    const reloaded = await daemon.logged('pipelines reloaded');
    expect(reloaded.pipelines).toEqual(['alpha', 'beta']);
    expect(
      (await statusOf(port)).pipelines.map((p) => [p.name, p.nextRunAt]),
    ).toEqual([
      ['alpha', `${new Date().getUTCFullYear() + 1}-01-01T00:00:00.000Z`],
      ['beta', `${new Date().getUTCFullYear() + 1}-01-01T00:00:00.000Z`],
    ]);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(await daemon.logged('daemon stopped')).toMatchObject({
      clean: true,
      abandoned: [],
    });
  });
});
