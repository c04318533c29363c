import type { Logger, StateBackend, StoreSession } from '@backfill/plugin-kit';

import {
  PIPELINE_DEFAULTS,
  type PipelineSpec,
  type StepSpec,
} from '../model/pipeline.ts';
import { EngineError } from './errors.ts';
import type { PluginRegistry } from './registry.ts';

/** What openStores needs of the run options. */
export interface StoreOptions {
  registry: PluginRegistry;
  cwd: string;
  stateStore?: StepSpec;
}

export interface OpenStores {
  session: StoreSession;
  state: StateBackend;
  atomic: boolean;
  close(): Promise<void>;
}

/**
 * The data store, and the state store: the data store itself when it keeps
 * state, else the default SQLite file beside it.
 */
export async function openStores(
  spec: PipelineSpec,
  options: StoreOptions,
  logger: Logger,
): Promise<OpenStores> {
  const definition = options.registry.store(spec.store.use);
  const session = await definition.open({
    params: spec.store.with,
    logger: logger.child({ store: spec.store.use }),
    cwd: options.cwd,
  });
  if (definition.capabilities.state && session.state) {
    return {
      session,
      state: session.state,
      atomic: definition.capabilities.atomicCheckpoint,
      close: () => session.close(),
    };
  }
  const stateSpec = options.stateStore ?? PIPELINE_DEFAULTS.store;
  const stateSession = await options.registry.store(stateSpec.use).open({
    params: stateSpec.with,
    logger: logger.child({ store: stateSpec.use }),
    cwd: options.cwd,
  });
  if (!stateSession.state) {
    await Promise.all([session.close(), stateSession.close()]);
    throw new EngineError(
      'ENGINE_NO_STATE_STORE',
      `the store "${stateSpec.use}" keeps no state: name a state store`,
    );
  }
  return {
    session,
    state: stateSession.state,
    atomic: false,
    close: async () => {
      await session.close();
      await stateSession.close();
    },
  };
}
