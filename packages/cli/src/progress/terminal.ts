import pretty from 'pino-pretty';

/** What the output stream and the environment allow. */
export interface TerminalFacts {
  /** The stream is a terminal. */
  tty: boolean;
  /** Colour: a terminal, NO_COLOR unset or empty, and no `--no-color`. */
  color: boolean;
  /** A progress bar: a terminal, CI unset, and no `--json`. */
  progress: boolean;
}

export interface TerminalInput {
  stream?: { isTTY?: boolean };
  env?: Readonly<Record<string, string | undefined>>;
  /** `--json` was given. */
  json?: boolean;
  /** commander's `--no-color`: false when given. */
  color?: boolean;
}

/**
 * Decides bars and colour once per command. NO_COLOR follows
 * no-color.org: any non-empty value turns colour off; CI is taken as set
 * when present at all, as CI services set it to `true` or `1`.
 */
export function terminalFacts(input: TerminalInput = {}): TerminalFacts {
  const env = input.env ?? process.env;
  const tty = (input.stream ?? process.stderr).isTTY === true;
  const noColor = (env.NO_COLOR ?? '') !== '' || input.color === false;
  return {
    tty,
    color: tty && !noColor,
    progress: tty && env.CI === undefined && input.json !== true,
  };
}

/**
 * Where pino lines go: pino-pretty on a terminal, JSON lines (undefined:
 * the logger's default, stderr) otherwise.
 */
export function logDestination(
  facts: TerminalFacts,
): { write(line: string): void } | undefined {
  if (!facts.tty) return undefined;
  return pretty({
    colorize: facts.color,
    destination: 2,
    sync: true,
    ignore: 'pid,hostname',
    translateTime: 'SYS:HH:MM:ss',
  });
}
