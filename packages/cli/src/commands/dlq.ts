import type { Command } from 'commander';

export function defineDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('records that kept failing in transform or store');
  dlq
    .command('list')
    .description('show the dead letters, oldest first')
    .argument('[pipeline]', 'only this pipeline (by name)')
    .option('--json', 'print one JSON document')
    .action(async (pipeline: string | undefined, flags: { json?: boolean }) => {
      const { listDlq } = await import('../run/dlq.ts');
      await listDlq(pipeline, flags);
    });
  dlq
    .command('replay')
    .description('run dead letters through transform and store again')
    .argument('[pipeline]', 'only this pipeline (by name)')
    .option('--json', 'print one JSON document')
    .action(async (pipeline: string | undefined, flags: { json?: boolean }) => {
      const { replayDlq } = await import('../run/dlq.ts');
      await replayDlq(pipeline, flags);
    });
}
