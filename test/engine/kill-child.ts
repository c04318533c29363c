// The child the kill test SIGKILLs: `backfill run --force`'s execution
// path (executeRuns: lease, signals, summary, exit code) on the project in
// the working folder. It loads its modules and the project first, then
// waits for a line on stdin before it opens the store and runs: the test
// warms the next children while the current one runs, so that 20 kills do
// not cost 20 cold starts. No bundled plugin is loaded: the host config
// names the two the project needs.
import { executeRuns } from '../../packages/cli/src/run/execute.ts';
import { loadProject } from '../../packages/core/src/index.ts';

const project = await loadProject({ cwd: process.cwd(), jobsFromEnv: false });
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();

if (!project.ok) {
  process.stderr.write(`${JSON.stringify(project.files, null, 2)}\n`);
  process.exitCode = 2;
} else {
  process.exitCode = await executeRuns({
    specs: project.pipelines.filter((p) => p.enabled),
    registry: project.registry,
    flags: { force: true },
    cwd: process.cwd(),
  });
}
