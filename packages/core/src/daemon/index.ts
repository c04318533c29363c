export type { DaemonOptions, StopResult } from './daemon.ts';
export { Daemon } from './daemon.ts';
export { DaemonError } from './errors.ts';
export type { Endpoints, HttpListener } from './http.ts';
export { listen } from './http.ts';
export type { DaemonProject } from './project.ts';
export { handleDaemonSignals } from './signals.ts';
export type { DaemonStatus } from './status-document.ts';
