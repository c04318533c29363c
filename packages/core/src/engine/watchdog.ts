/**
 * Fires when no batch arrived for `stallMs`: a source that hangs on a
 * socket without a timeout of its own, or waits forever. The chunk's
 * fetch is then aborted and retried by policy.
 */
export class Watchdog {
  readonly #stallMs: number;
  readonly #onStall: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(stallMs: number, onStall: () => void) {
    this.#stallMs = stallMs;
    this.#onStall = onStall;
    this.touch();
  }

  /** Progress was seen: the stall clock starts again. */
  touch(): void {
    clearTimeout(this.#timer);
    if (!Number.isFinite(this.#stallMs)) return;
    this.#timer = setTimeout(this.#onStall, this.#stallMs);
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

/** Settles like `promise`, or rejects with the signal's reason on abort. */
export function raceSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
