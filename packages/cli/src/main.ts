import { Command, CommanderError } from 'commander';

import { commands } from './commands/index.ts';
import { CliError, EXIT } from './exit.ts';

/** Runs the `backfill` command line; sets process.exitCode, never exits. */
export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  const program = new Command('backfill')
    .description(
      'Fill a database with the history of lending and margin activity\n' +
        'from Solana programs, Glacier archives and HTTP APIs.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  for (const define of commands) define(program);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    process.exitCode = exitCodeOf(error);
  }
}

// ---------------------------------------------------------------------------

/**
 * `backfill --help | head` closes stdout early; the write that follows fails
 * with EPIPE, which is the reader's choice, not a failure worth a stack.
 */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exitCode ??= EXIT.ok;
    });
  }
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are successes; every other parse error is usage.
    if (error.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(`backfill: ${error.message}\n`);
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : error;
  process.stderr.write(
    `backfill: internal error, please report it with this output:\n${text}\n`,
  );
  return EXIT.failure;
}
