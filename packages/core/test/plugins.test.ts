import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  clearPluginCache,
  loadPluginRegistry,
} from '../src/plugins/registry.ts';
import { FIXTURE_PLUGINS, pluginModule, writeTree } from './helpers/tree.ts';

const trees: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.remove();
  clearPluginCache();
});

function tree(files: Record<string, string | object>) {
  const t = writeTree(files);
  trees.push(t);
  return t.root;
}

function pkg(name: string, plugin: string, source: string) {
  return {
    [`node_modules/${name}/package.json`]: {
      name,
      type: 'module',
      exports: { '.': { import: './index.mjs' } },
    },
    [`node_modules/${name}/index.mjs`]: pluginModule(plugin, source),
  };
}

describe('plugin resolution', () => {
  it('resolves from the config folder first, then cwd, then the CLI', async () => {
    const root = tree({
      ...Object.fromEntries(
        Object.entries(pkg('@acme/x', 'from-config', 'x')).map(([k, v]) => [
          `host/${k}`,
          v,
        ]),
      ),
      ...Object.fromEntries(
        Object.entries({
          ...pkg('@acme/x', 'from-cwd', 'x'),
          ...pkg('@acme/y', 'y-from-cwd', 'y'),
        }).map(([k, v]) => [`work/${k}`, v]),
      ),
      ...Object.fromEntries(
        Object.entries({
          ...pkg('@acme/y', 'y-from-cli', 'y'),
          ...pkg('@acme/z', 'z-from-cli', 'z'),
        }).map(([k, v]) => [`cli/${k}`, v]),
      ),
    });
    const registry = await loadPluginRegistry({
      cwd: join(root, 'work'),
      bundledFrom: join(root, 'cli'),
      config: {
        file: join(root, 'host/backfill.config.yaml'),
        dir: join(root, 'host'),
        plugins: ['@acme/x', '@acme/y', '@acme/z'],
      },
    });
    expect(registry.diagnostics).toEqual([]);
    expect(registry.plugins().map((p) => p.name)).toEqual([
      '@backfill/core/transforms',
      'from-config',
      'y-from-cwd',
      'z-from-cli',
    ]);
  });

  it('says where it looked when a plugin is not found', async () => {
    const root = tree({ 'host/package.json': { name: 'host' } });
    const registry = await loadPluginRegistry({
      cwd: root,
      config: {
        file: join(root, 'host/backfill.config.yaml'),
        dir: join(root, 'host'),
        plugins: ['@acme/missing'],
        locate: () => ({ line: 2, column: 5 }),
      },
    });
    const [d] = registry.diagnostics;
    expect(d).toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      file: join(root, 'host/backfill.config.yaml'),
      line: 2,
      column: 5,
      pointer: '/plugins/0',
    });
    expect(d!.message).toContain(join(root, 'host', 'node_modules'));
    expect(d!.message).toContain(join(root, 'node_modules'));
  });

  it('resolves a relative path from the config folder', async () => {
    const root = tree({
      'host/local/my-plugin.mjs': pluginModule('mine', 'm'),
    });
    const registry = await loadPluginRegistry({
      cwd: root,
      config: {
        file: join(root, 'host/backfill.config.json'),
        dir: join(root, 'host'),
        plugins: ['./local/my-plugin.mjs'],
      },
    });
    expect(registry.diagnostics).toEqual([]);
    expect(registry.lookup('source', 'm')).toMatchObject({ ok: true });
  });

  it.each([
    ['throws-on-import', 'PLUGIN_LOAD_FAILED', 'fixture plugin exploded'],
    ['not-a-plugin', 'PLUGIN_SHAPE', 'made by definePlugin'],
    ['incomplete', 'PLUGIN_SHAPE', 'sources[0] has no JSON "schema"'],
    [
      'old-api',
      'PLUGIN_API_MISMATCH',
      'built for plugin API 2.3.0; this core accepts 1.x (it has 1.0.0)',
    ],
  ])('refuses %s with %s', async (name, code, text) => {
    const registry = await loadPluginRegistry({
      cwd: FIXTURE_PLUGINS,
      config: {
        file: join(FIXTURE_PLUGINS, 'backfill.config.yaml'),
        dir: FIXTURE_PLUGINS,
        plugins: [`./${name}/index.ts`],
      },
    });
    expect(registry.diagnostics).toHaveLength(1);
    expect(registry.diagnostics[0]!.code).toBe(code);
    expect(registry.diagnostics[0]!.message).toContain(text);
    if (code === 'PLUGIN_LOAD_FAILED') {
      expect(registry.diagnostics[0]!.stack).toContain('throws-on-import');
    }
  });
});

describe('use: lookup', () => {
  async function registry() {
    return loadPluginRegistry({
      cwd: FIXTURE_PLUGINS,
      config: {
        file: join(FIXTURE_PLUGINS, 'backfill.config.yaml'),
        dir: FIXTURE_PLUGINS,
        plugins: ['./params-source/index.ts'],
      },
    });
  }

  it('matches a definition name', async () => {
    const found = (await registry()).lookup('source', 'fixture');
    expect(found.ok && found.definition.name).toBe('fixture');
  });

  it('matches a plugin name that provides exactly one of the kind', async () => {
    const r = await registry();
    const found = r.lookup('store', 'params-source');
    expect(found.ok && found.definition.name).toBe('fixture-store');
    expect(r.lookup('transform', 'params-source')).toMatchObject({
      ok: false,
      code: 'UNKNOWN_USE',
      message: 'plugin "params-source" provides no transform',
    });
  });

  it('suggests the nearest name for an unknown one', async () => {
    expect((await registry()).lookup('source', 'fixtur')).toMatchObject({
      ok: false,
      code: 'UNKNOWN_USE',
      message: 'unknown source "fixtur"; did you mean "fixture"?',
      expected: 'one of "fixture"',
    });
  });

  it('names the plugins that did not load in the hint of an unknown use', async () => {
    const root = tree({
      'broken.mjs': "throw new Error('boom');\n",
      'good.mjs': pluginModule('good', 'fine'),
    });
    const r = await loadPluginRegistry({
      cwd: root,
      config: {
        file: join(root, 'c.json'),
        dir: root,
        plugins: ['./good.mjs', './broken.mjs'],
      },
    });
    expect(r.lookup('source', 'from-broken')).toMatchObject({
      ok: false,
      code: 'UNKNOWN_USE',
      message: 'unknown source "from-broken"',
      hint: 'these plugins did not load: "./broken.mjs"',
    });
    expect(r.lookup('source', 'fin')).toMatchObject({
      ok: false,
      hint: 'did you mean "fine"? Or: these plugins did not load: "./broken.mjs"',
    });
  });

  it('always has the built-in transforms plugin', async () => {
    const r = await registry();
    expect(r.plugins()[0]!.name).toBe('@backfill/core/transforms');
  });

  it('reports a name two plugins provide as ambiguous', async () => {
    const root = tree({
      'a.mjs': pluginModule('plugin-a', 'same'),
      'b.mjs': pluginModule('plugin-b', 'same'),
    });
    const r = await loadPluginRegistry({
      cwd: root,
      config: {
        file: join(root, 'c.json'),
        dir: root,
        plugins: ['./a.mjs', './b.mjs'],
      },
    });
    expect(r.lookup('source', 'same')).toMatchObject({
      ok: false,
      code: 'AMBIGUOUS_USE',
      message: 'source "same" is provided by "plugin-a" and "plugin-b"',
    });
    expect(r.lookup('source', 'plugin-b')).toMatchObject({ ok: true });
  });
});
