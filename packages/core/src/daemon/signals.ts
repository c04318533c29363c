import type { Daemon, StopResult } from './daemon.ts';

/**
 * SIGTERM and SIGINT stop the daemon gracefully and call `stopped` with
 * the result; SIGHUP reloads the pipelines. A second SIGTERM or SIGINT
 * during the stop exits at once (128 + the signal number). Returns the
 * function that removes the handlers.
 */
export function handleDaemonSignals(
  daemon: Daemon,
  stopped: (result: StopResult, signal: NodeJS.Signals) => void,
): () => void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopping = true;
    daemon.stop().then((result) => stopped(result, signal));
  };
  const reload = () => {
    void daemon.reload();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', reload);
  return () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.off('SIGHUP', reload);
  };
}
