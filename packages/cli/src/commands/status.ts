import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

import type { FileReport, StatusReport, StepSpec } from '@backfill/core';
import type { Command } from 'commander';

import { CliError, EXIT } from '../exit.ts';

interface StatusFlags {
  json?: boolean;
  config?: string;
  runs: string;
}

export function defineStatus(program: Command): void {
  program
    .command('status')
    .description('what ran, what failed, and how far each run has come')
    .argument('[pipeline]', 'one pipeline by name (default: all)')
    .option('--json', 'print one JSON document')
    .option('--config <file>', 'a job list in the older format, too')
    .option('--runs <n>', 'runs shown per pipeline, newest first', '10')
    .addHelpText('after', '\nExit codes: 0 shown, 1 failure, 2 wrong usage.')
    .action(async (pipeline: string | undefined, flags: StatusFlags) => {
      await showStatus(pipeline, flags);
    });
}

// ---------------------------------------------------------------------------

async function showStatus(pipeline: string | undefined, flags: StatusFlags) {
  const core = await import('@backfill/core');
  const { loadPipelines } = await import('./start.ts');
  const cwd = process.cwd();
  const runs = Number(flags.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new CliError(
      'STATUS_FLAGS',
      `--runs "${flags.runs}" is not a whole number of 1 or more`,
      EXIT.usage,
    );
  }

  const project = await loadPipelines([], flags.config, cwd, true);
  const invalid = project.files.filter((f) => !f.valid);
  // The ledger is read whole: a pipeline run from a file outside the
  // pipelines folder (`backfill run p.yaml`) is shown too.
  const whole = await core.statusOf(project.pipelines, {
    registry: project.registry,
    cwd,
    runsPerPipeline: runs,
    ledgers: await defaultLedger(cwd),
  });
  const report = pipeline ? only(whole, pipeline) : whole;
  const missing = pipeline !== undefined && report.pipelines.length === 0;
  const home = missing
    ? invalid.find((f) => pipeline && f.declared?.includes(pipeline))
    : undefined;
  if (home) {
    // Its runs may be in its own store, which only its file names.
    throw new CliError(
      'STATUS_PIPELINE_UNLOADABLE',
      `pipeline "${pipeline}" is in ${shortPath(home.file, cwd)}, which ` +
        `cannot be loaded: ${whyNot(home, cwd)}`,
    );
  }
  // Status still reads the ledger of the valid pipelines; each file left
  // out is named with its first error, redacted like any diagnostic.
  for (const file of invalid) {
    process.stderr.write(
      `backfill: ${shortPath(file.file, cwd)} cannot be loaded, its ` +
        `pipelines are left out: ${whyNot(file, cwd)}\n`,
    );
  }
  if (missing) {
    const known = whole.pipelines.map((p) => p.name).join(', ');
    throw new CliError(
      'STATUS_UNKNOWN_PIPELINE',
      `no pipeline is named "${pipeline}" ` +
        (known
          ? `(known: ${known})`
          : '(known: none; status reads the pipelines of this folder, ' +
            './pipelines, $BACKFILL_JOBS or --config, and the ledger in ' +
            '.backfill/backfill.db: run it where you ran the pipeline)'),
      EXIT.usage,
    );
  }
  // Run errors may quote a request: no secret leaves in them.
  const secrets = [
    ...project.config.secrets,
    ...project.pipelines.flatMap((p) => p.secrets),
  ];
  const shown = core.redactDeep(report, secrets);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  } else if (shown.pipelines.length === 0 && invalid.length > 0) {
    // "No runs yet" would be wrong: the runs may be in a store that only
    // the files that failed to load name.
    process.stdout.write(
      'no runs to show: fix the files above that cannot be loaded\n',
    );
  } else {
    process.stdout.write(core.formatStatus(shown));
  }
}

/**
 * The default state store, when it exists: where `backfill run p.yaml`
 * writes with no store named. Not created when absent.
 */
async function defaultLedger(cwd: string): Promise<StepSpec[]> {
  const { DEFAULT_DATABASE_PATH } = await import('@backfill/store-sqlite');
  const file = resolve(cwd, DEFAULT_DATABASE_PATH);
  return existsSync(file) ? [{ use: 'sqlite', with: {} }] : [];
}

/**
 * Why a file cannot be loaded: its first error with its place, and how
 * many more there are.
 */
function whyNot(file: FileReport, cwd: string): string {
  const errors = file.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  if (!first) return 'it has errors (run backfill validate)';
  const path = shortPath(first.file, cwd);
  const place = first.line > 0 ? `${path}:${first.line}:${first.column}` : path;
  const more = errors.length - 1;
  return (
    `${place}: ${first.code} ${first.message}` +
    (more > 0
      ? ` (and ${more} more error${more === 1 ? '' : 's'}: run backfill validate)`
      : ' (run backfill validate)')
  );
}

/** A path under the working folder as a relative one, as validate shows. */
function shortPath(file: string, cwd: string): string {
  const inside = relative(cwd, file);
  return isAbsolute(file) && !inside.startsWith('..') ? inside : file;
}

/** The report narrowed to one pipeline. */
function only(report: StatusReport, name: string): StatusReport {
  const mine = <T extends { pipeline: string }>(runs: T[]) =>
    runs.filter((r) => r.pipeline === name);
  return {
    ...report,
    pipelines: report.pipelines.filter((p) => p.name === name),
    active: mine(report.active),
    completed: mine(report.completed),
    failed: mine(report.failed),
  };
}
