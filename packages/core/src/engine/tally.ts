import type { RunCounts } from '@backfill/plugin-kit';

import type { RunContext } from './context.ts';

/** The run's counts, with the records its transforms dropped. */
export interface EngineCounts extends RunCounts {
  /**
   * Records a transform dropped (a filter, a duplicate). Not in the
   * ledger's runs table: the summary and the log line carry it.
   */
  recordsFiltered: number;
}

/** Per transform step, over the run: records it received and dropped. */
export interface TransformTally {
  received: number[];
  dropped: number[];
}

/** Zero counts for a run of `steps` transforms. */
export function newTally(steps: number): TransformTally {
  return {
    received: new Array<number>(steps).fill(0),
    dropped: new Array<number>(steps).fill(0),
  };
}

/** Adds the counts of one delivered batch to the run's. */
export function addTally(into: TransformTally, batch: TransformTally): void {
  for (let i = 0; i < batch.received.length; i++) {
    into.received[i] = (into.received[i] ?? 0) + (batch.received[i] ?? 0);
    into.dropped[i] = (into.dropped[i] ?? 0) + (batch.dropped[i] ?? 0);
  }
}

/**
 * Warns, once at the end of a run, when one transform dropped every record
 * it received: a filter whose expression names a misspelt field keeps
 * nothing, and the run would otherwise read as a quiet success.
 */
export function warnDroppedAll(run: RunContext): void {
  const { received, dropped } = run.tally;
  if (run.counts.recordsFetched === 0) return;
  const step = received.findIndex((n, i) => n > 0 && dropped[i] === n);
  if (step < 0) return;
  const spec = run.spec.transform[step];
  if (!spec) return;
  const what =
    spec.use === 'filter' && typeof spec.with.where === 'string'
      ? `filter "${spec.with.where}"`
      : `${spec.use} ${JSON.stringify(spec.with)}`;
  run.logger.warn(
    {
      code: 'TRANSFORM_DROPPED_ALL',
      step: step + 1,
      use: spec.use,
      received: received[step],
    },
    `transform ${step + 1} (${what}) dropped all ${received[step]} records ` +
      'of the run, so none were stored: check its field names against a ' +
      'fetched record',
  );
}
