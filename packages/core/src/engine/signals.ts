/** Exit codes after a signal: 128 + its number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * Calls `stop` on the first SIGINT or SIGTERM, so that the run winds down
 * and leaves the ledger consistent. A second signal exits at once: the
 * ledger is consistent at every commit, so nothing is lost but the batch
 * in flight. Returns the function that removes the handlers.
 */
export function onStopSignals(stop: (signal: StopSignal) => void): () => void {
  let received: StopSignal | null = null;
  const handler = (signal: StopSignal) => {
    if (received) process.exit(SIGNAL_EXIT_CODES[received]);
    received = signal;
    stop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
