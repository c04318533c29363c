import {
  createLogger,
  forEachStateStore,
  loadProject,
  type PipelineSpec,
  type Project,
  redactDeep,
  replayDeadLetters,
} from '@backfill/core';
import type { DeadLetterRow } from '@backfill/plugin-kit';

import { CliError, EXIT } from '../exit.ts';
import { bundledPlugins } from '../validate/bundled.ts';

/** `backfill dlq list [pipeline]`. */
export async function listDlq(
  pipeline: string | undefined,
  flags: { json?: boolean },
  cwd = process.cwd(),
): Promise<void> {
  const { project, specs } = await pipelines(pipeline, cwd);
  const letters: DeadLetterRow[] = [];
  await forEachStateStore(
    specs,
    { registry: project.registry, cwd },
    async (state, names) => {
      for (const name of names)
        letters.push(...(await state.listDeadLetters(name)));
    },
  );
  const secrets = specs.flatMap((s) => s.secrets);
  if (flags.json) {
    const doc = redactDeep({ deadLetters: letters }, secrets);
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  if (letters.length === 0) {
    process.stdout.write('no dead letters\n');
    return;
  }
  for (const l of letters) {
    const line =
      `#${l.id} ${l.pipeline} ${l.record.key} (${l.stage}, ${l.attempts} ` +
      `attempts, ${l.at}): ${l.errorCode} ${l.errorMessage}`;
    process.stdout.write(`${redactDeep(line, secrets)}\n`);
  }
}

/** `backfill dlq replay [pipeline]`: exit 1 when some still fail. */
export async function replayDlq(
  pipeline: string | undefined,
  flags: { json?: boolean },
  cwd = process.cwd(),
): Promise<void> {
  const { project, specs } = await pipelines(pipeline, cwd);
  const secrets = specs.flatMap((s) => s.secrets);
  const logger = createLogger({
    secrets,
    level: process.env.BACKFILL_LOG_LEVEL ?? 'info',
  });
  const results = [];
  for (const spec of specs) {
    results.push(
      await replayDeadLetters(spec, {
        registry: project.registry,
        cwd,
        logger,
      }).catch(leaseHeld),
    );
  }
  if (flags.json) {
    const doc = redactDeep({ replays: results }, secrets);
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    for (const r of results) {
      process.stdout.write(
        `${r.pipeline}: ${r.replayed} replayed, ${r.failed.length} still failing\n`,
      );
    }
  }
  process.exitCode = results.every((r) => r.failed.length === 0)
    ? EXIT.ok
    : EXIT.failure;
}

// ---------------------------------------------------------------------------

/** A run holds the pipeline: replay nothing, say who and since when. */
function leaseHeld(error: unknown): never {
  const held = error as { code?: unknown; details?: Record<string, unknown> };
  if (held.code !== 'ENGINE_LEASE_HELD') throw error;
  const { holder, since, pipeline } = held.details ?? {};
  throw new CliError(
    'DLQ_LEASE_HELD',
    `pipeline ${pipeline} is being run by ${holder} since ${since}; ` +
      'replay once that run has ended',
    EXIT.failure,
  );
}

async function pipelines(
  name: string | undefined,
  cwd: string,
): Promise<{ project: Project; specs: PipelineSpec[] }> {
  const project = await loadProject({ cwd, jobsFromEnv: true, bundledPlugins });
  const specs = name
    ? project.pipelines.filter((p) => p.name === name)
    : project.pipelines;
  if (name && specs.length === 0) {
    const known = project.pipelines.map((p) => p.name).join(', ') || 'none';
    throw new CliError(
      'DLQ_UNKNOWN_PIPELINE',
      `no pipeline named "${name}" in this project (known: ${known})`,
      EXIT.usage,
    );
  }
  return { project, specs };
}
