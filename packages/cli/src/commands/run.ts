import { type Command, Option } from 'commander';

import type { RunFlags } from '../run/flags.ts';

export function defineRun(program: Command): void {
  program
    .command('run')
    .description('run pipelines now: resumable, one lease per pipeline')
    .argument(
      '[pipelines...]',
      'pipeline files or folders (default: ./pipelines and $BACKFILL_JOBS)',
    )
    .option('--from <time|slot>', 'start of the window: ISO time or slot')
    .option('--to <time|slot>', 'end of the window: ISO time or slot')
    .option('--hours <n>', 'the latest N hours')
    .option(
      '--dry-run',
      'print the plan (chunks, source, store); write nothing',
    )
    .option('--limit <n>', 'stop after N records')
    .option(
      '--reprocess <which>',
      'none (resume), failed or all chunks of earlier runs',
      'none',
    )
    .option('--json', 'print one JSON summary on stdout')
    .option('--force', 'take over the lease of a run that is gone')
    .option('--config <file>', 'a job list in the older JSON format')
    .option('--run-once', 'run the built-in job of --source once')
    .option('--source <name>', 'with --run-once: chain or glacier')
    .addOption(
      new Option('--log-level <level>', 'pino level (default: info)').choices([
        'trace',
        'debug',
        'info',
        'warn',
        'error',
        'fatal',
        'silent',
      ]),
    )
    .option('--no-color', 'no colour in logs and the progress bar')
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 a run failed, 2 wrong usage, ' +
        '130/143 stopped by SIGINT/SIGTERM.',
    )
    .action(async (paths: string[], flags: RunFlags) => {
      const { runCommand } = await import('../run/command.ts');
      await runCommand(paths, flags);
    });
}
