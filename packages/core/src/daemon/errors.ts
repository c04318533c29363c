import { hasBrand, setBrand } from '@backfill/plugin-kit';

const BRAND = Symbol.for('backfill.DaemonError');

/** A reason the daemon cannot start or reload, with a stable code. */
export class DaemonError extends Error {
  /** `DAEMON_PORT_IN_USE`, `DAEMON_NO_PIPELINES`, ... */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(`${message} [${code}]`, options);
    this.name = 'DaemonError';
    this.code = code;
    setBrand(this, BRAND);
  }

  /** True for a DaemonError from any copy of this package. */
  static is(value: unknown): value is DaemonError {
    return hasBrand(value, BRAND);
  }
}
