import {
  createLogger,
  EngineError,
  onStopSignals,
  type PipelineSpec,
  type PluginRegistry,
  type RunSummary,
  redactDeep,
  runPipeline,
  SIGNAL_EXIT_CODES,
  tappedHooks,
} from '@backfill/core';

import { CliError, EXIT } from '../exit.ts';
import {
  attachProgressBar,
  logDestination,
  terminalFacts,
} from '../progress/index.ts';
import { formatPlan, planOf } from './dry-run.ts';
import {
  limitFlag,
  type RunFlags,
  reprocessFlag,
  windowFromFlags,
} from './flags.ts';

export interface RunInput {
  specs: PipelineSpec[];
  registry: PluginRegistry;
  flags: RunFlags;
  cwd: string;
  /** Host-config settings the pipeline's source may read. */
  settingsFor?(spec: PipelineSpec): Record<string, unknown>;
}

/** A pipeline that could not start: lease held, store unreachable... */
interface StartFailure {
  pipeline: string;
  status: 'failed';
  error: { code: string; message: string };
}

/**
 * Runs the pipelines one after another, as `backfill run` does; returns
 * the exit code. SIGINT/SIGTERM stop the current run cleanly (exit 130 or
 * 143) and skip the rest.
 */
export async function executeRuns(input: RunInput): Promise<number> {
  const { flags, specs } = input;
  const now = Date.now();
  const window = windowFromFlags(flags, now);
  const reprocess = reprocessFlag(flags.reprocess);
  const limit = limitFlag(flags.limit);
  const secrets = specs.flatMap((s) => s.secrets);

  if (flags.dryRun) {
    const plans = specs.map((spec) => {
      try {
        return planOf(spec, input.registry, window, now);
      } catch (error) {
        // What a run would report for the pipeline (a slot window for a
        // time source, say), as one line instead of a stack.
        if (!(error instanceof EngineError)) throw error;
        const said = `${spec.name}: ${error.message} [${error.code}]`;
        throw new CliError(error.code, said);
      }
    });
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ dryRun: true, plans }, null, 2)}\n`
        : plans.map(formatPlan).join('\n'),
    );
    return EXIT.ok;
  }

  // A bar and pretty logs on a terminal only: see progress/terminal.ts.
  const facts = terminalFacts({ json: flags.json, color: flags.color });
  const destination = logDestination(facts);
  const logger = createLogger({
    secrets,
    level: flags.logLevel ?? process.env.BACKFILL_LOG_LEVEL ?? 'info',
    ...(destination ? { destination } : {}),
  });
  const hooks = tappedHooks(input.registry);
  const bar = attachProgressBar(hooks, { facts });
  const stop = new AbortController();
  let signal: keyof typeof SIGNAL_EXIT_CODES | undefined;
  const removeHandlers = onStopSignals((received) => {
    signal = received;
    stop.abort();
  });

  const results: Array<RunSummary | StartFailure> = [];
  try {
    for (const spec of specs) {
      if (stop.signal.aborted) break;
      try {
        results.push(
          await runPipeline(spec, {
            registry: input.registry,
            hooks,
            cwd: input.cwd,
            logger,
            ...(window === undefined ? {} : { window }),
            reprocess,
            ...(limit === undefined ? {} : { limit }),
            force: flags.force ?? false,
            stop: stop.signal,
            ...(input.settingsFor ? { settings: input.settingsFor(spec) } : {}),
          }),
        );
      } catch (error) {
        const failure = startFailure(spec.name, error);
        logger.error({ code: failure.error.code }, failure.error.message);
        results.push(failure);
      }
    }
  } finally {
    bar.stop();
    removeHandlers();
  }

  report(results, flags.json ?? false, secrets);
  if (signal) return SIGNAL_EXIT_CODES[signal];
  return results.every((r) => r.status === 'succeeded')
    ? EXIT.ok
    : EXIT.failure;
}

// ---------------------------------------------------------------------------

function startFailure(pipeline: string, error: unknown): StartFailure {
  const code =
    typeof error === 'object' && error !== null && 'code' in error
      ? String((error as { code: unknown }).code)
      : 'RUN_FAILED';
  const message = error instanceof Error ? error.message : String(error);
  return { pipeline, status: 'failed', error: { code, message } };
}

function report(
  results: Array<RunSummary | StartFailure>,
  json: boolean,
  secrets: string[],
): void {
  if (json) {
    const status = results.every((r) => r.status === 'succeeded')
      ? 'succeeded'
      : 'failed';
    const document = redactDeep({ status, runs: results }, secrets);
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return;
  }
  for (const r of results) {
    if (!('runId' in r)) {
      process.stderr.write(`backfill: ${r.error.message} [${r.error.code}]\n`);
      continue;
    }
    const c = r.chunks;
    const line =
      `${r.pipeline}: ${r.status}, ${r.recordsStored} records stored, ` +
      `${r.recordsDeadLettered} dead-lettered` +
      // Only when some were: a run that stored nothing says why.
      (r.recordsFiltered > 0
        ? `, ${r.recordsFiltered} of ${r.recordsFetched} fetched filtered ` +
          'out by transforms'
        : '') +
      `; chunks ${c.done} done, ` +
      `${c.failed} failed, ${c.pending} pending, ${c.skipped} already done` +
      (r.gaps > 0
        ? `; ${r.gaps} gaps recorded (backfill status lists them)`
        : '') +
      (r.error ? ` (${r.error.code}: ${r.error.message})` : '');
    process.stdout.write(`${redactDeep(line, secrets)}\n`);
  }
}
