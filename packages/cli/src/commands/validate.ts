import type { Command } from 'commander';

export function defineValidate(program: Command): void {
  program
    .command('validate')
    .description('check pipelines against their schemas; file:line:col errors')
    .argument(
      '[paths...]',
      'pipeline files, job lists or folders (default: the host config ' +
        "'pipelines' folder, else ./pipelines, plus $BACKFILL_JOBS)",
    )
    .option('--json', 'print one JSON document')
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the syntax itself
    .option('--no-env', 'treat every ${...} as set (structure only)')
    .addHelpText(
      'after',
      '\nExit codes: 0 all valid, 1 any invalid, 2 wrong usage.',
    )
    .action(
      async (paths: string[], flags: { json?: boolean; env?: boolean }) => {
        const { runValidate } = await import('../validate/run.ts');
        await runValidate(paths, flags);
      },
    );
}
