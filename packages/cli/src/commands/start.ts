import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

import type { PipelineSpec, Project } from '@backfill/core';
import { type Command, InvalidArgumentError, Option } from 'commander';

import { CliError, EXIT } from '../exit.ts';

/** The daemon's port when neither --port nor BACKFILL_PORT says. */
export const DEFAULT_PORT = 9464;

interface StartFlags {
  config?: string;
  port?: number;
  catchUp: 'none' | 'latest';
  logLevel: string;
  shutdownTimeout: string;
  color?: boolean;
}

export function defineStart(program: Command): void {
  program
    .command('start')
    .description('daemon: every enabled pipeline on its schedule')
    .argument(
      '[paths...]',
      'pipeline files or folders (default: the pipelines folder)',
    )
    .option('--config <file>', 'a job list in the older format, too')
    .option(
      '--port <port>',
      `loopback port of /metrics, /status, /healthz ` +
        `(default: $BACKFILL_PORT, else ${DEFAULT_PORT})`,
      portOf,
    )
    .addOption(
      new Option('--catch-up <policy>', 'after downtime: run the latest tick')
        .choices(['none', 'latest'])
        .default('none'),
    )
    .addOption(
      new Option('--log-level <level>', 'pino level')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
        .default(process.env.BACKFILL_LOG_LEVEL ?? 'info'),
    )
    .option(
      '--shutdown-timeout <duration>',
      'on SIGTERM, abandon runs still going after this long',
      '30s',
    )
    .option('--no-color', 'no colour in logs')
    .addHelpText(
      'after',
      '\nSignals: SIGTERM/SIGINT stop gracefully, SIGHUP reloads pipelines.' +
        '\nExit codes: 0 stopped cleanly, 1 could not start or runs were ' +
        'abandoned, 2 wrong usage.',
    )
    .action(async (paths: string[], flags: StartFlags) => {
      await startDaemon(paths, flags);
    });
}

/**
 * The project as `start` and `status` read it: pipeline files (the
 * pipelines folder when no path is given, also next to `--config`), the
 * job list and `BACKFILL_JOBS`.
 */
export async function loadPipelines(
  paths: string[],
  jobList: string | undefined,
  cwd: string,
  /** Status: no pipelines folder is no pipeline, not an error. */
  folderOptional = false,
): Promise<Project> {
  const { BackfillError, loadProject } = await import('@backfill/core');
  const { bundledPlugins } = await import('../validate/bundled.ts');
  const folder = resolve(cwd, 'pipelines');
  const files =
    paths.length > 0 ? paths : jobList && existsSync(folder) ? [folder] : [];
  try {
    return await loadProject({
      cwd,
      ...(files.length > 0 || jobList ? { paths: files } : {}),
      ...(jobList ? { jobList } : {}),
      jobsFromEnv: true,
      bundledPlugins,
    });
  } catch (error) {
    if (BackfillError.is(error) && error.code === 'PATH_NOT_FOUND') {
      if (folderOptional && files.length === 0 && !jobList) {
        return loadProject({
          cwd,
          paths: [],
          jobsFromEnv: true,
          bundledPlugins,
        });
      }
      throw new CliError(error.code, error.message, EXIT.usage);
    }
    throw error;
  }
}

/** Host-config settings for a pipeline's source, as `run` hands them. */
export function settingsFor(project: Project, spec: PipelineSpec) {
  const settings = project.config.values.settings ?? {};
  const aliases = project.config.values.program_aliases;
  return {
    ...(settings[spec.source.use] ?? {}),
    ...(aliases ? { program_aliases: aliases } : {}),
    // The resolved `${ENV}` values, for sources to keep to themselves.
    secrets: spec.secrets,
  };
}

// ---------------------------------------------------------------------------

async function startDaemon(paths: string[], flags: StartFlags) {
  const core = await import('@backfill/core');
  const { logDestination, terminalFacts } = await import(
    '../progress/index.ts'
  );
  const { humanReport } = await import('../validate/report.ts');
  const cwd = process.cwd();
  const port = flags.port ?? portFromEnv() ?? DEFAULT_PORT;
  const shutdownTimeoutMs = core.parseDuration(flags.shutdownTimeout);
  if (shutdownTimeoutMs === undefined || shutdownTimeoutMs === null) {
    throw new CliError(
      'START_FLAGS',
      `--shutdown-timeout "${flags.shutdownTimeout}" is not a duration ` +
        '(e.g. 30s, 2m)',
      EXIT.usage,
    );
  }

  const first = await loadPipelines(paths, flags.config, cwd);
  if (!first.ok) {
    process.stderr.write(
      humanReport(
        first.files.filter((f) => !f.valid),
        { cwd, frames: false, sources: {} },
      ),
    );
    throw new CliError(
      'START_INVALID_PIPELINES',
      'not starting: fix the errors above (backfill validate lists them)',
    );
  }
  // Checked before the daemon exists: a start that cannot schedule
  // anything logs nothing about stopping.
  if (!first.pipelines.some((p) => p.enabled)) {
    const disabled = first.pipelines.map((p) => p.name);
    throw new CliError(
      'DAEMON_NO_PIPELINES',
      'no enabled pipeline to schedule' +
        (disabled.length > 0 ? ` (disabled: ${disabled.join(', ')})` : '') +
        ': set enabled: true, or add a pipeline file under pipelines/, ' +
        'a job list with --config, or BACKFILL_JOBS',
    );
  }
  const facts = terminalFacts({
    ...(flags.color === false ? { color: false } : {}),
  });
  const secrets = [
    ...first.config.secrets,
    ...first.pipelines.flatMap((p) => p.secrets),
  ];
  const destination = logDestination(facts);
  const logger = core.createLogger({
    level: flags.logLevel,
    secrets,
    ...(destination ? { destination } : {}),
  });

  let next: Project | null = first;
  const daemon = new core.Daemon({
    async load() {
      const project = next ?? (await loadPipelines(paths, flags.config, cwd));
      next = null;
      if (!project.ok) {
        const files = project.files.filter((f) => !f.valid);
        // The daemon logs each diagnostic: a path alone says nothing.
        throw new core.BackfillError(
          `${files.length} file(s) have errors: ` +
            files.map((f) => f.file).join(', '),
          'START_INVALID_PIPELINES',
          files.flatMap((f) =>
            f.diagnostics
              .filter((d) => d.severity === 'error')
              .map((d) => ({ ...d, file: shortPath(d.file, cwd) })),
          ),
        );
      }
      reportDisabled(project, cwd, logger);
      return {
        pipelines: project.pipelines,
        registry: project.registry,
        settingsFor: (spec) => settingsFor(project, spec),
      };
    },
    cwd,
    port,
    catchUp: flags.catchUp,
    logger,
    shutdownTimeoutMs,
  });

  try {
    const { port: bound } = await daemon.start();
    // On stdout, so `--port 0` (a free port) can be found by a script.
    process.stdout.write(`listening on http://127.0.0.1:${bound}\n`);
  } catch (error) {
    await daemon.stop().catch(() => {});
    if (core.DaemonError.is(error) || core.ScheduleError.is(error)) {
      throw new CliError(error.code, error.message);
    }
    throw error;
  }
  const result = await new Promise<{ clean: boolean }>((done) => {
    core.handleDaemonSignals(daemon, (stopped) => done(stopped));
  });
  process.exitCode = result.clean ? EXIT.ok : EXIT.failure;
}

/** A path inside the working folder, relative to it. */
function shortPath(file: string, cwd: string): string {
  const inside = relative(cwd, file);
  return isAbsolute(file) && !inside.startsWith('..') ? inside : file;
}

function portOf(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('a port is a whole number 0-65535');
  }
  return port;
}

function portFromEnv(): number | undefined {
  const value = process.env.BACKFILL_PORT;
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CliError(
      'START_BAD_PORT',
      `BACKFILL_PORT="${value}" is not a port: give a whole number 0-65535`,
      EXIT.usage,
    );
  }
  return port;
}

/**
 * Disabled pipelines and jobs are said at every load, as `run` says them:
 * one left out without a word looks like a schedule that never fires.
 */
function reportDisabled(
  project: Project,
  cwd: string,
  logger: { warn(obj: object, msg: string): void },
): void {
  for (const file of project.files) {
    for (const job of file.skipped) {
      logger.warn(
        {
          code: 'JOB_DISABLED',
          job: job.name,
          place: `${shortPath(file.file, cwd)}:${job.line}:${job.column}`,
        },
        'job disabled (enabled: false): not scheduled',
      );
    }
  }
  for (const spec of project.pipelines.filter((p) => !p.enabled)) {
    logger.warn(
      { code: 'PIPELINE_DISABLED', pipeline: spec.name },
      'pipeline disabled (enabled: false): not scheduled',
    );
  }
}
