import type { Command } from 'commander';

export function defineValidate(program: Command): void {
  program
    .command('validate')
    .description('check pipelines against their schemas; file:line:col errors')
    .argument('[paths...]', 'pipeline files or folders')
    .option('--json', 'print one JSON document')
    .option('--no-env', 'treat every ${...} as set (structure only)')
    .action(async () => {
      process.stdout.write('validate: not implemented yet\n');
    });
}
