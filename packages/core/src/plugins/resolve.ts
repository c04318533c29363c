import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Where a plugin's entry file is, or every place that was looked at. */
export type Resolution =
  | { found: true; entry: string; packageDir: string }
  | { found: false; looked: string[] };

const CONDITIONS = new Set(['import', 'node', 'module', 'default']);
const EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts'];

/**
 * Finds a plugin the way Node would import it from each folder of `from`
 * in turn: a relative or absolute path from the first folder, a package
 * name through the `node_modules` folders above each. Written out rather
 * than left to `import.meta.resolve`, whose parent argument Node 20 keeps
 * behind a flag, and so that "not found" can say where it looked.
 */
export function resolvePlugin(specifier: string, from: string[]): Resolution {
  if (isPath(specifier)) {
    const base = from[0] ?? process.cwd();
    const target = isAbsolute(specifier) ? specifier : resolve(base, specifier);
    return resolveFile(target);
  }

  const looked: string[] = [];
  for (const start of from) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (!dir.endsWith('node_modules')) {
        const modules = join(dir, 'node_modules');
        const packageDir = join(modules, specifier);
        if (!looked.includes(modules)) looked.push(modules);
        if (existsSync(join(packageDir, 'package.json'))) {
          const entry = packageEntry(packageDir);
          if (entry && isFile(entry)) return { found: true, entry, packageDir };
          looked.push(`${packageDir} (its entry ${entry ?? '?'} is missing)`);
        }
      }
      if (dirname(dir) === dir) break;
    }
  }
  return { found: false, looked };
}

// ---------------------------------------------------------------------------

function isPath(specifier: string): boolean {
  return /^(?:\.{1,2}(?:[/\\]|$)|[/\\]|[A-Za-z]:[/\\])/.test(specifier);
}

function resolveFile(target: string): Resolution {
  const looked: string[] = [];
  for (const ext of EXTENSIONS) {
    const file = target + ext;
    looked.push(file);
    if (isFile(file)) return { found: true, entry: file, packageDir: target };
  }
  if (existsSync(join(target, 'package.json'))) {
    const entry = packageEntry(target);
    if (entry && isFile(entry)) {
      return { found: true, entry, packageDir: target };
    }
  }
  for (const index of ['index.js', 'index.mjs', 'index.ts']) {
    const file = join(target, index);
    looked.push(file);
    if (isFile(file)) return { found: true, entry: file, packageDir: target };
  }
  return { found: false, looked };
}

function packageEntry(packageDir: string): string | null {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(
      readFileSync(join(packageDir, 'package.json'), 'utf8'),
    );
  } catch {
    return null;
  }
  let target: unknown = manifest.exports;
  if (target !== undefined) {
    if (
      isObject(target) &&
      Object.keys(target).some((k) => k.startsWith('.'))
    ) {
      target = target['.'];
    }
    target = pickCondition(target);
  } else {
    target = manifest.module ?? manifest.main ?? 'index.js';
  }
  return typeof target === 'string' ? join(packageDir, target) : null;
}

/** The export target Node's `import` would take. */
function pickCondition(target: unknown): string | null {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const picked = pickCondition(t);
      if (picked) return picked;
    }
    return null;
  }
  if (isObject(target)) {
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.has(condition)) continue;
      const picked = pickCondition(value);
      if (picked) return picked;
    }
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
