import { hostname } from 'node:os';

import type { LeaseRow, Logger, StateBackend } from '@backfill/plugin-kit';

import type { Clock } from '../retry/clock.ts';
import { EngineError } from './errors.ts';

export interface LeaseOptions {
  pipeline: string;
  runId: string;
  /** Take over a lease whose holder is gone. */
  force: boolean;
  clock: Clock;
  logger: Logger;
  /** A heartbeat older than this means the holder is gone. Default 60 s. */
  staleMs?: number;
  /** How often we refresh ours. Default 10 s. */
  heartbeatMs?: number;
  host?: string;
  pid?: number;
  /** Called when another run took our lease over. */
  onLost(): void;
}

/** A lease we hold: refreshed in the background until released. */
export interface HeldLease {
  readonly holder: string;
  release(): Promise<void>;
}

export const LEASE_DEFAULTS = { staleMs: 60_000, heartbeatMs: 10_000 };

/**
 * Takes the pipeline's lease, so that it never runs twice at once. Fails
 * with ENGINE_LEASE_HELD when another run holds it, unless `force` and
 * that holder is gone (its pid is dead on this host, or its heartbeat is
 * stale).
 */
export async function acquireLease(
  state: StateBackend,
  options: LeaseOptions,
): Promise<HeldLease> {
  const host = options.host ?? hostname();
  const pid = options.pid ?? process.pid;
  const now = new Date(options.clock.now()).toISOString();
  const ours: LeaseRow = {
    pipeline: options.pipeline,
    holder: `${host}:${pid}:${options.runId}`,
    host,
    pid,
    runId: options.runId,
    since: now,
    heartbeatAt: now,
  };

  let result = await state.acquireLease(ours);
  if (!result.acquired) {
    const theirs = result.lease;
    const gone = holderGone(theirs, host, options);
    if (!options.force || !gone) {
      throw leaseHeld(theirs, options.force, gone ? goneWhy(theirs, host) : '');
    }
    options.logger.warn(
      { holder: theirs.holder, since: theirs.since },
      'taking over the lease of a holder that is gone',
    );
    result = await state.acquireLease(ours, theirs.holder);
    if (!result.acquired) throw leaseHeld(result.lease, false);
  }

  const timer = setInterval(async () => {
    const at = new Date(options.clock.now()).toISOString();
    const kept = await state
      .heartbeatLease(options.pipeline, ours.holder, at)
      .catch(() => true);
    if (!kept) options.onLost();
  }, options.heartbeatMs ?? LEASE_DEFAULTS.heartbeatMs);
  timer.unref();

  return {
    holder: ours.holder,
    async release() {
      clearInterval(timer);
      await state.releaseLease(options.pipeline, ours.holder);
    },
  };
}

// ---------------------------------------------------------------------------

function holderGone(
  lease: LeaseRow,
  host: string,
  options: LeaseOptions,
): boolean {
  if (lease.host === host && !pidAlive(lease.pid)) return true;
  const age = options.clock.now() - Date.parse(lease.heartbeatAt);
  return age > (options.staleMs ?? LEASE_DEFAULTS.staleMs);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a holder counts as gone, for the message that offers --force. */
function goneWhy(lease: LeaseRow, host: string): string {
  return lease.host === host && !pidAlive(lease.pid)
    ? `its process ${lease.pid} no longer runs on this host`
    : `its heartbeat stopped at ${lease.heartbeatAt}`;
}

function leaseHeld(lease: LeaseRow, forced: boolean, gone = ''): EngineError {
  const what = forced
    ? 'and that holder is still alive: stop it first'
    : gone
      ? `${gone} (a crash, say): pass --force to take the lease over`
      : 'wait for it, or pass --force if that run is gone';
  return new EngineError(
    'ENGINE_LEASE_HELD',
    `pipeline ${lease.pipeline} is being run by ${lease.holder} since ` +
      `${lease.since}; ${what}`,
    { pipeline: lease.pipeline, holder: lease.holder, since: lease.since },
  );
}
