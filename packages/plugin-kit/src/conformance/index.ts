/**
 * Conformance checks a source plugin's author runs from their own tests,
 * with any test runner: each check returns (or resolves) when the source
 * behaves as the engine needs and throws an AssertionError saying what to
 * fix when it does not.
 *
 *   import { sourceChecks } from '@backfill/plugin-kit/conformance';
 *   for (const check of sourceChecks({ source, params, failures })) {
 *     test(check.name, check.run);
 *   }
 */
import { checkAbort } from './abort.ts';
import { checkErrors } from './failures.ts';
import type { SourceConformance } from './options.ts';
import { checkResume } from './resume.ts';
import { checkSchema } from './schema.ts';

export { checkAbort } from './abort.ts';
export { checkErrors } from './failures.ts';
export type {
  FailureCase,
  SchemaCheck,
  SourceConformance,
} from './options.ts';
export { DEFAULT_CHUNK } from './options.ts';
export { type CompleteRun, checkResume, runToCompletion } from './resume.ts';
export { checkSchema } from './schema.ts';

/** One named check, for a test of its own. */
export interface ConformanceCheck {
  name: string;
  run(): Promise<void>;
}

/** The four checks of a source, in the order to read their failures. */
export function sourceChecks<Params>(
  conformance: SourceConformance<Params>,
): ConformanceCheck[] {
  const source = conformance.source.name;
  return [
    {
      name: `${source}: has a valid, closed JSON Schema`,
      run: async () => checkSchema(conformance),
    },
    {
      name: `${source}: resumes from a cursor, no key lost or repeated`,
      run: () => checkResume(conformance),
    },
    {
      name: `${source}: honours the abort signal`,
      run: () => checkAbort(conformance),
    },
    {
      name: `${source}: classifies its errors`,
      run: () => checkErrors(conformance),
    },
  ];
}

/** Runs every check of a source in turn; throws at the first failure. */
export async function checkSource<Params>(
  conformance: SourceConformance<Params>,
): Promise<void> {
  for (const check of sourceChecks(conformance)) await check.run();
}
