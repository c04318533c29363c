/** Exit codes: DESIGN.md section 9. */
export const EXIT = {
  ok: 0,
  /** The work failed: an invalid pipeline, a failed run. */
  failure: 1,
  /** Wrong usage: unknown flag, missing argument. */
  usage: 2,
} as const;

/** An error the CLI prints as one line and exits with, no stack. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string;

  constructor(code: string, message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}
