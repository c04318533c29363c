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
  await forEachStateStore(pipelines, options, async (state, names) => {
    reports.push(
      await readStatus(state, {
        pipelines: names,
        now,
        ...(options.runsPerPipeline
          ? { runsPerPipeline: options.runsPerPipeline }
          : {}),
      }),
    );
  });
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
): Promise<void> {
  const groups = new Map<string, { store: StepSpec; names: string[] }>();
  for (const spec of pipelines) {
    const store = stateStepOf(spec, options);
    const key = JSON.stringify([store.use, store.with]);
    const group = groups.get(key) ?? { store, names: [] };
    group.names.push(spec.name);
    groups.set(key, group);
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
