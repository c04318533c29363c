export type { ProgressBar, ProgressBarOptions } from './bar.ts';
export { attachProgressBar, PROGRESS_TAP } from './bar.ts';
export type { TerminalFacts, TerminalInput } from './terminal.ts';
export { logDestination, terminalFacts } from './terminal.ts';
