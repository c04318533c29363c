import type { Command } from 'commander';

import { defineDlq } from './dlq.ts';
import { defineRun } from './run.ts';
import { defineStart } from './start.ts';
import { defineStatus } from './status.ts';
import { defineValidate } from './validate.ts';

/**
 * Every command, as a function that declares it on the program. Each file
 * declares options only and imports its implementation when it runs, so
 * that `--help` stays fast.
 */
export const commands: Array<(program: Command) => void> = [
  defineValidate,
  defineRun,
  defineDlq,
  defineStart,
  defineStatus,
];
