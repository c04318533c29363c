import { isAbsolute, relative } from 'node:path';

import {
  BackfillError,
  defaultJobFor,
  defaultJobs,
  loadProject,
  type PipelineSpec,
  type Project,
} from '@backfill/core';

import { CliError, EXIT } from '../exit.ts';
import { bundledPlugins } from '../validate/bundled.ts';
import { humanReport, jsonReport } from '../validate/report.ts';
import { executeRuns } from './execute.ts';
import type { RunFlags } from './flags.ts';

/**
 * `backfill run [pipeline...]`: loads and validates the project (pipeline
 * files, `--config` job list, `BACKFILL_JOBS`), refuses to run anything
 * when a file has errors, then runs the enabled pipelines in order.
 */
export async function runCommand(
  paths: string[],
  flags: RunFlags,
  cwd = process.cwd(),
): Promise<void> {
  if (flags.runOnce && paths.length) {
    throw new CliError(
      'RUN_FLAGS',
      '--run-once runs a built-in job: give --source, not pipeline files',
      EXIT.usage,
    );
  }
  if (flags.source !== undefined && !flags.runOnce) {
    throw new CliError(
      'RUN_FLAGS',
      '--source picks the built-in job of --run-once; add --run-once, ' +
        'or drop --source to run pipeline files',
      EXIT.usage,
    );
  }
  const project = await load(paths, flags, cwd);
  if (!project.ok) {
    const invalid = project.files.filter((f) => !f.valid);
    process.stderr.write(
      humanReport(invalid, { cwd, frames: false, sources: {} }),
    );
    // A --json reader gets a document even when nothing ran: the errors
    // in the shape `validate --json` gives them.
    if (flags.json) {
      const document = {
        status: 'invalid',
        runs: [],
        validation: jsonReport(invalid, cwd),
      };
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    }
    process.exitCode = EXIT.failure;
    return;
  }

  if (!flags.runOnce) reportSkipped(project, cwd);
  const specs = flags.runOnce
    ? [runOnceJob(flags.source)]
    : project.pipelines.filter((p) => p.enabled);
  if (specs.length === 0) {
    throw new CliError(
      'RUN_NOTHING',
      'no enabled pipeline to run: name pipeline files, --config FILE, ' +
        'set BACKFILL_JOBS, or add files under ./pipelines',
    );
  }
  const settings = project.config.values.settings ?? {};
  process.exitCode = await executeRuns({
    specs,
    registry: project.registry,
    flags,
    cwd,
    settingsFor: (spec) => ({
      ...(settings[spec.source.use] ?? {}),
      ...(project.config.values.program_aliases
        ? { program_aliases: project.config.values.program_aliases }
        : {}),
      // The resolved `${ENV}` values, for sources to keep to themselves.
      secrets: spec.secrets,
    }),
  });
}

// ---------------------------------------------------------------------------

async function load(
  paths: string[],
  flags: RunFlags,
  cwd: string,
): Promise<Project> {
  try {
    return await loadProject({
      cwd,
      // --run-once needs plugins only: an empty path list loads no files.
      ...(paths.length || flags.runOnce || flags.config ? { paths } : {}),
      ...(flags.config ? { jobList: flags.config } : {}),
      jobsFromEnv: paths.length === 0 && !flags.runOnce && !flags.config,
      bundledPlugins,
    });
  } catch (error) {
    if (BackfillError.is(error) && error.code === 'PATH_NOT_FOUND') {
      throw new CliError(error.code, error.message, EXIT.usage);
    }
    throw error;
  }
}

/** Disabled jobs are said out loud, never silently dropped. */
function reportSkipped(project: Project, cwd: string): void {
  for (const file of project.files) {
    const path = isAbsolute(file.file) ? relative(cwd, file.file) : file.file;
    for (const job of file.skipped) {
      process.stderr.write(
        `${path}:${job.line}:${job.column}: JOB_DISABLED ` +
          `"${job.name}" is disabled (enabled: false): skipped\n`,
      );
    }
  }
}

function runOnceJob(source: string | undefined): PipelineSpec {
  const job = source ? defaultJobFor(source) : undefined;
  if (!job) {
    const known = defaultJobs().map((j) => j.source.use);
    throw new CliError(
      'RUN_ONCE_SOURCE',
      `--run-once needs --source ${known.join(' or ')}` +
        (source ? ` (no built-in job reads "${source}")` : ''),
      EXIT.usage,
    );
  }
  return job;
}
