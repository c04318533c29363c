import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `backfill` binary of this workspace, as a user's shell runs it. */
export const BACKFILL_BIN = fileURLToPath(
  new URL('../../packages/cli/bin/backfill.js', import.meta.url),
);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `backfill <args>` in a child process and waits for it: its exit
 * code and everything it wrote. `env` is added to this process's own.
 */
export function runBackfill(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BACKFILL_BIN, ...args],
      { cwd: options.cwd, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
