import { BackfillError, JOBS_VARIABLE, loadProject } from '@backfill/core';

import { CliError, EXIT } from '../exit.ts';
import { bundledPlugins } from './bundled.ts';
import { humanReport, jsonReport } from './report.ts';

export interface ValidateFlags {
  json?: boolean;
  /** commander's `--no-env`: false when given. */
  env?: boolean;
}

/**
 * `backfill validate [path...]`: prints every error of every file, sets
 * the exit code (0 all valid, 1 any invalid, 2 wrong usage).
 */
export async function runValidate(
  paths: string[],
  flags: ValidateFlags,
  cwd = process.cwd(),
): Promise<void> {
  let project: Awaited<ReturnType<typeof loadProject>>;
  try {
    project = await loadProject({
      cwd,
      ...(paths.length ? { paths } : {}),
      // With no path, `BACKFILL_JOBS` is part of the project when set.
      jobsFromEnv: paths.length === 0,
      noEnv: flags.env === false,
      bundledPlugins,
    });
  } catch (error) {
    if (BackfillError.is(error) && error.code === 'PATH_NOT_FOUND') {
      throw new CliError(error.code, error.message, EXIT.usage);
    }
    throw error;
  }

  const output = flags.json
    ? `${JSON.stringify(jsonReport(project.files, cwd), null, 2)}\n`
    : humanReport(project.files, {
        cwd,
        frames: Boolean(process.stdout.isTTY) && !process.env.CI,
        sources: { [JOBS_VARIABLE]: process.env.BACKFILL_JOBS ?? '' },
      });
  process.stdout.write(output);
  process.exitCode = project.ok ? EXIT.ok : EXIT.failure;
}
