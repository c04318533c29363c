import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/backfill.js', import.meta.url));

/** Runs the CLI; the reader hangs up after the first chunk of stdout. */
function runAndHangUp(
  args: string[],
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the backfill command line', () => {
  it('exits 0 without a stack when its reader closes the pipe early', async () => {
    const result = await runAndHangUp(['--help']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('exits 2 on an unknown command', async () => {
    const result = await new Promise<{ code: number | null }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'no-such-command']);
      child.on('close', (code) => resolve({ code }));
    });
    expect(result.code).toBe(2);
  });
});
