import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { loadHostConfig } from '../src/config/host-config.ts';
import { writeTree } from './helpers/tree.ts';

const trees: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.remove();
});
function tree(files: Record<string, string | object>) {
  const t = writeTree(files);
  trees.push(t);
  return t.root;
}
const env = {};

describe('host config discovery', () => {
  it.each([
    ['backfill.config.yaml', 'pipelines: jobs\n'],
    ['backfill.config.yml', 'pipelines: jobs\n'],
    ['backfill.config.json', '{ "pipelines": "jobs" }'],
    ['.backfillrc', 'pipelines: jobs\n'],
    ['.backfillrc.json', '{ "pipelines": "jobs" }'],
    ['backfill.config.mjs', 'export default { pipelines: "jobs" };\n'],
    ['backfill.config.js', 'export default { pipelines: "jobs" };\n'],
    ['backfill.config.ts', 'export default { pipelines: "jobs" as string };\n'],
  ])('finds %s from a subfolder', async (name, content) => {
    const root = tree({
      'package.json': { name: 'host', type: 'module' },
      [name]: content,
      'sub/deeper/.keep': '',
    });
    const config = await loadHostConfig({ cwd: join(root, 'sub/deeper'), env });
    expect(config.diagnostics).toEqual([]);
    expect(config.file).toBe(join(root, name));
    expect(config.values.pipelines).toBe('jobs');
    expect(config.dir).toBe(root);
  });

  it('reads the "backfill" key of package.json, with positions', async () => {
    const root = tree({
      'package.json':
        '{\n  "name": "host",\n  "backfill": {\n    "pipelnes": "x"\n  }\n}\n',
    });
    const config = await loadHostConfig({ cwd: root, env });
    expect(config.file).toBe(join(root, 'package.json'));
    expect(config.diagnostics).toMatchObject([
      {
        code: 'UNKNOWN_KEY',
        line: 4,
        column: 5,
        pointer: '/backfill/pipelnes',
        message:
          'unknown key "pipelnes" in backfill; did you mean "pipelines"?',
      },
    ]);
  });

  it('returns an empty config when there is none', async () => {
    const root = tree({ 'package.json': { name: 'host' } });
    const config = await loadHostConfig({ cwd: root, env });
    expect(config).toMatchObject({ file: null, dir: root, values: {} });
  });

  it('checks program aliases are 32-byte base58 addresses', async () => {
    const root = tree({
      'package.json': { name: 'host' },
      'backfill.config.yaml':
        'program_aliases:\n  ok: MFv2hWf31Z9kbCa1snEPYctwafyhdvnV7FZnsebVacA\n' +
        '  short: MFv2hWf31Z9kbCa1snEPYctwafyhdvnV7F\n',
    });
    const config = await loadHostConfig({ cwd: root, env });
    expect(config.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([
      ['INVALID_VALUE', 3, 10],
    ]);
  });

  it('reports a syntax error in the config file alone', async () => {
    const root = tree({
      'package.json': { name: 'host' },
      'backfill.config.yaml': 'plugins: [a\nstore: {}\n',
    });
    const config = await loadHostConfig({ cwd: root, env });
    expect(config.diagnostics.map((d) => d.code)).toEqual(['SYNTAX_ERROR']);
    expect(config.values).toEqual({});
  });
});
