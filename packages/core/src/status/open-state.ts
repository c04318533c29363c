import type { StateBackend } from '@backfill/plugin-kit';
import { silentLogger } from '@backfill/plugin-kit';

import { EngineError } from '../engine/errors.ts';

import type { PluginRegistry } from '../engine/registry.ts';
import type { PipelineSpec, StepSpec } from '../model/pipeline.ts';
import { PIPELINE_DEFAULTS } from '../model/pipeline.ts';
import type { StatusReport } from './report.ts';
import { mergeStatus, readStatus } from './report.ts';

export interface StatusOptions {
  registry: PluginRegistry;
  /** Relative store paths resolve against it. */
  cwd: string;
  /** Where state goes when a data store keeps none (as for the engine). */
  stateStore?: StepSpec;
  now?: number;
  runsPerPipeline?: number;
  /**
   * Stores read whole: every pipeline their ledger knows is reported,
   * loaded or not. Given, the stores of `pipelines` are read whole too.
   */
  ledgers?: StepSpec[];
}

/**
 * The status of `pipelines`, read from the state store each one's runs
 * write to: the data store when it keeps state, else the state store,
 * as the engine chooses it. Pipelines sharing a store are read together.
 */
export async function statusOf(
  pipelines: PipelineSpec[],
  options: StatusOptions,
): Promise<StatusReport> {
  const now = options.now ?? Date.now();
  const reports: StatusReport[] = [];
  const whole = options.ledgers !== undefined;
  // A pipeline found in two ledgers is reported from the first: the store
  // of its loaded spec comes before the extra ledgers.
  const reported = new Set<string>();
  const read = async (state: StateBackend, loaded: string[]) => {
    const names = whole
      ? [...new Set([...loaded, ...(await ledgerNames(state))])]
      : loaded;
    const fresh = names.filter((name) => !reported.has(name));
    for (const name of fresh) reported.add(name);
    reports.push(
      await readStatus(state, {
        pipelines: fresh,
        now,
        ...(options.runsPerPipeline
          ? { runsPerPipeline: options.runsPerPipeline }
          : {}),
      }),
    );
  };
  await forEachStateStore(pipelines, options, read, options.ledgers ?? []);
  return mergeStatus(reports, now);
}

/**
 * Opens the state store of each group of pipelines that share one, calls
 * `read` with it and the pipelines' names, and closes it.
 */
export async function forEachStateStore(
  pipelines: PipelineSpec[],
  options: Pick<StatusOptions, 'registry' | 'cwd' | 'stateStore'>,
  read: (state: StateBackend, names: string[]) => Promise<void>,
  /** Stores opened too, with no pipeline named, after the pipelines'. */
  extraStores: StepSpec[] = [],
): Promise<void> {
  const groups = new Map<string, { store: StepSpec; names: string[] }>();
  for (const spec of pipelines) {
    const store = stateStepOf(spec, options);
    const key = JSON.stringify([store.use, store.with]);
    const group = groups.get(key) ?? { store, names: [] };
    group.names.push(spec.name);
    groups.set(key, group);
  }
  for (const store of extraStores) {
    const key = JSON.stringify([store.use, store.with]);
    if (!groups.has(key)) groups.set(key, { store, names: [] });
  }
  for (const { store, names } of groups.values()) {
    const opened = await openState(store, options);
    try {
      await read(opened.state, names);
    } finally {
      await opened.close();
    }
  }
}

// ---------------------------------------------------------------------------

/** Every pipeline with a run in the ledger. */
async function ledgerNames(state: StateBackend): Promise<string[]> {
  return [...new Set((await state.listRuns()).map((r) => r.pipeline))];
}

type StoreOptions = Pick<StatusOptions, 'registry' | 'cwd' | 'stateStore'>;

function stateStepOf(spec: PipelineSpec, options: StoreOptions): StepSpec {
  const definition = options.registry.store(spec.store.use);
  if (definition.capabilities.state) return spec.store;
  return options.stateStore ?? PIPELINE_DEFAULTS.store;
}

async function openState(
  step: StepSpec,
  options: StoreOptions,
): Promise<{ state: StateBackend; close(): Promise<void> }> {
  const session = await options.registry.store(step.use).open({
    params: step.with,
    logger: silentLogger,
    cwd: options.cwd,
  });
  if (!session.state) {
    await session.close();
    throw new EngineError(
      'ENGINE_NO_STATE_STORE',
      `the store "${step.use}" keeps no state: name a state store`,
    );
  }
  return { state: session.state, close: () => session.close() };
}
