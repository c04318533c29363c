import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes a throwaway folder tree from an object of path -> content. */
export function writeTree(files: Record<string, string | object>): {
  root: string;
  remove(): void;
} {
  const root = mkdtempSync(join(tmpdir(), 'backfill-test-'));
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      typeof content === 'string' ? content : JSON.stringify(content, null, 2),
    );
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The source of a plugin module made without plugin-kit, branded. */
export function pluginModule(
  name: string,
  source: string,
  apiVersion = '1.0.0',
) {
  return `const plugin = {
  name: ${JSON.stringify(name)},
  apiVersion: ${JSON.stringify(apiVersion)},
  sources: [{
    name: ${JSON.stringify(source)},
    schema: { type: 'object', additionalProperties: false, properties: { n: { type: 'integer' } } },
    capabilities: { resumable: true, splittable: true, ranges: ['time'] },
    async *fetch() {},
  }],
};
Object.defineProperty(plugin, Symbol.for('backfill.Plugin'), { value: true });
export default plugin;
`;
}

/** The folder of the fixture plugins. */
export const FIXTURE_PLUGINS = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'plugins',
);
