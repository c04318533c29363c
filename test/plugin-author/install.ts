// "npm install" for the host repository, without a registry: the packages
// it names are linked from this workspace into its node_modules, the way
// `file:` dependencies and a published @backfill/cli would land there.
import { mkdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const HOST_REPO = join(ROOT, 'test', 'host-repo');

/** Links every dependency of the host repository; returns its folder. */
export function installHostRepo(): string {
  const modules = join(HOST_REPO, 'node_modules');
  rmSync(modules, { recursive: true, force: true });
  rmSync(join(HOST_REPO, '.backfill'), { recursive: true, force: true });

  link(modules, 'backfill-source-weather', '../plugins/source-weather');
  link(modules, '@backfill/plugin-kit', join(ROOT, 'packages/plugin-kit'));
  link(modules, '@backfill/cli', join(ROOT, 'packages/cli'));
  link(modules, 'tsx', realpathSync(join(ROOT, 'node_modules/tsx')));
  link(modules, '.bin/backfill', '../@backfill/cli/bin/backfill.js');
  return HOST_REPO;
}

/** Removes what `installHostRepo` and the runs left behind. */
export function uninstallHostRepo(): void {
  rmSync(join(HOST_REPO, 'node_modules'), { recursive: true, force: true });
  rmSync(join(HOST_REPO, '.backfill'), { recursive: true, force: true });
}

function link(modules: string, name: string, target: string): void {
  const path = join(modules, name);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}
