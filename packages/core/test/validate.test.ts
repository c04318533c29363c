// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline text with ${VAR} references
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { BackfillError } from '../src/errors/diagnostic.ts';
import { clearPluginCache } from '../src/plugins/registry.ts';
import { loadProject } from '../src/validate/project.ts';
import { FIXTURE_PLUGINS, writeTree } from './helpers/tree.ts';

const trees: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.remove();
  clearPluginCache();
});

const PLUGIN = join(FIXTURE_PLUGINS, 'params-source/index.ts');
/** A permissive `chain`, `glacier` and `off-chain`, for job lists. */
const OLD_SOURCES = `const source = (name) => ({ name, schema: { type: 'object' },
  capabilities: { resumable: true, splittable: true, ranges: ['slot'] }, async *fetch() {} });
const plugin = { name: 'old-sources', apiVersion: '1.0.0',
  sources: ['chain', 'glacier', 'off-chain'].map(source),
  stores: [{ name: 'sqlite', schema: { type: 'object' }, capabilities: { atomicCheckpoint: true, state: true }, async open() {} }] };
Object.defineProperty(plugin, Symbol.for('backfill.Plugin'), { value: true });
export default plugin;
`;

async function project(
  files: Record<string, string>,
  options: Parameters<typeof loadProject>[0] = {},
) {
  const t = writeTree({
    'package.json': '{ "name": "host" }',
    'old-sources.mjs': OLD_SOURCES,
    'backfill.config.yaml':
      `plugins: [${JSON.stringify(PLUGIN)}, ./old-sources.mjs]\n` +
      'program_aliases:\n  drift: dRiftyHA39MWEi3m9aunc5MzRF1JYuBsbn6VPcn33UH\n',
    ...files,
  });
  trees.push(t);
  const result = await loadProject({ cwd: t.root, env: {}, ...options });
  return { ...result, root: t.root };
}

const errorsOf = (p: Awaited<ReturnType<typeof project>>) =>
  p.files.flatMap((f) =>
    f.diagnostics.map((d) => [d.code, d.line, d.column, d.pointer]),
  );

const VALID = `version: 1
name: fixture-sync
schedule: "0 2 * * *"
timezone: Europe/Paris
window: { from: 2026-01-01, to: "2026-01-02T12:00:00+02:00" }
source:
  use: fixture
  batch_size: 500
  with: { programs: [marginfi, drift], network: devnet }
transform:
  - use: fixture-store
store: { use: params-source }
timeout: 1h30m
`;

describe('a valid pipeline', () => {
  it('loads into the PipelineSpec the engine reads', async () => {
    const p = await project({ 'pipelines/a.yaml': VALID });
    expect(p.ok).toBe(false); // `fixture-store` is a store, not a transform
    expect(errorsOf(p)).toEqual([['UNKNOWN_USE', 11, 10, '/transform/0/use']]);

    const fixed = await project({
      'pipelines/a.yaml': VALID.replace(
        'transform:\n  - use: fixture-store\n',
        '',
      ),
    });
    expect(fixed.ok).toBe(true);
    expect(fixed.pipelines).toEqual([
      {
        name: 'fixture-sync',
        enabled: true,
        schedule: { cron: '0 2 * * *', timezone: 'Europe/Paris' },
        window: {
          kind: 'time',
          from: '2026-01-01T00:00:00.000Z',
          to: '2026-01-02T10:00:00.000Z',
        },
        source: {
          use: 'fixture',
          plugin: 'params-source',
          batchSize: 500,
          with: { programs: ['marginfi', 'drift'], network: 'devnet' },
        },
        transform: [],
        store: { use: 'params-source', plugin: 'params-source', with: {} },
        maxRetries: 3,
        concurrency: 1,
        timeoutMs: 5_400_000,
        secrets: [],
        origin: {
          file: join(fixed.root, 'pipelines/a.yaml'),
          kind: 'pipeline',
        },
      },
    ]);
  });

  it('defaults to the sqlite store and a 6h interval', async () => {
    const p = await project({
      'pipelines/a.yaml':
        'version: 1\nname: a\nsource: { use: fixture, with: { programs: [leverage] } }\n',
    });
    expect(p.pipelines[0]).toMatchObject({
      schedule: { intervalMs: 21_600_000 },
      window: null,
      store: { use: 'sqlite', with: {} },
      source: { batchSize: 1000 },
    });
  });
});

describe('errors', () => {
  it('reports every error of a file at once, each at its node', async () => {
    const p = await project({
      'pipelines/bad.yaml': `version: 2
name: bad
schedule: "0 2 * *"
windw: { last: 24h }
source:
  use: fixture
  batch_size: 0
  with: { programs: [marginfi, nope], limit: 99, netwrk: devnet }
`,
    });
    expect(errorsOf(p)).toEqual([
      ['INVALID_VALUE', 1, 10, '/version'],
      ['CRON_INVALID', 3, 11, '/schedule'],
      ['UNKNOWN_KEY', 4, 1, '/windw'],
      ['OUT_OF_RANGE', 7, 15, '/source/batch_size'],
      ['OUT_OF_RANGE', 8, 46, '/source/with/limit'],
      ['UNKNOWN_KEY', 8, 50, '/source/with/netwrk'],
    ]);
    const unknown = p.files[0]!.diagnostics.find((d) => d.pointer === '/windw');
    expect(unknown).toMatchObject({
      message: 'unknown key "windw" in the document; did you mean "window"?',
      hint: 'did you mean "window"?',
    });
    expect(unknown!.expected).toContain('"window"');
  });

  it("runs the plugin's check() once its schema passes, with config aliases", async () => {
    const p = await project({
      'pipelines/a.yaml':
        'version: 1\nname: a\nsource:\n  use: fixture\n  with:\n    programs: [drift, marginfy]\n',
    });
    expect(errorsOf(p)).toEqual([
      ['FIXTURE_PROGRAM_UNKNOWN', 6, 23, '/source/with/programs/1'],
    ]);
  });

  it("runs a transform's check(): a filter that does not parse", async () => {
    const p = await project({
      'pipelines/a.yaml':
        'version: 1\nname: a\nsource: { use: fixture, with: { programs: [drift] } }\n' +
        'transform:\n  - use: filter\n    with:\n      where: "(("\n',
    });
    expect(p.files.at(-1)!.diagnostics).toMatchObject([
      {
        code: 'TRANSFORM_FILTER_SYNTAX',
        line: 7,
        column: 14,
        pointer: '/transform/0/with/where',
        message:
          'the filter expression does not parse at character 2: ' +
          'Expected ")" before end of expression',
      },
    ]);
  });

  it('cuts a quoted value short at 60 characters', async () => {
    const p = await project({
      'pipelines/a.yaml': `version: 1\nname: a\nsource: "${'\u0001'.repeat(10)}${'x'.repeat(300)}"\n`,
    });
    expect(p.files.at(-1)!.diagnostics).toMatchObject([
      {
        code: 'WRONG_TYPE',
        line: 3,
        column: 9,
        message:
          'source must be a mapping, got the string ' +
          `"${'\\u0001'.repeat(10)}…"`,
      },
    ]);
  });

  it('tells a quoted version to lose its quotes, not to write itself', async () => {
    const p = await project({
      'pipelines/a.yaml':
        'version: "1"\nname: a\nsource: { use: fixture, with: { programs: [drift] } }\n',
    });
    expect(p.files.at(-1)!.diagnostics).toMatchObject([
      {
        code: 'INVALID_VALUE',
        line: 1,
        column: 10,
        message: 'version must be 1, got "1"; write 1 without quotes',
        hint: 'write 1 without quotes',
      },
    ]);
  });

  it('says a zero duration must be more than zero', async () => {
    const p = await project({
      'pipelines/a.yaml':
        'version: 1\nname: a\ntimeout: 0s\nwindow: { last: 0h0m }\n' +
        'source: { use: fixture, with: { programs: [drift] } }\n',
    });
    expect(p.files.at(-1)!.diagnostics).toMatchObject([
      {
        code: 'DURATION_INVALID',
        line: 3,
        column: 10,
        message: 'timeout: "0s" is zero: a duration must be more than zero',
      },
      {
        code: 'DURATION_INVALID',
        line: 4,
        column: 17,
        message:
          'window.last: "0h0m" is zero: a duration must be more than zero',
      },
    ]);
  });

  it('refuses a folder given as a path that holds no pipeline file', async () => {
    const p = await project(
      { 'empty/notes.txt': 'nothing here\n' },
      { paths: ['empty'] },
    );
    expect(p.ok).toBe(false);
    expect(p.files.at(-1)!.diagnostics).toMatchObject([
      {
        code: 'EMPTY_FOLDER',
        file: 'empty',
        line: 0,
        column: 0,
        message:
          'folder empty holds no pipeline files (.yaml, .yml or .json): ' +
          'nothing to check or run',
      },
    ]);
  });

  it('says a pipeline file given as a job list is one, once', async () => {
    const p = await project(
      { 'p.yaml': VALID },
      { paths: [], jobList: 'p.yaml' },
    );
    expect(p.files.at(-1)!.diagnostics).toMatchObject([
      {
        code: 'NOT_JOB_LIST',
        line: 1,
        column: 1,
        pointer: '/version',
        message:
          'this is a pipeline file: pass it as an argument, not --config',
      },
    ]);
  });

  it('never prints a value resolved from the environment', async () => {
    const p = await project(
      {
        'pipelines/a.yaml':
          'version: 1\nname: a\nsource:\n  use: fixture\n  with: { programs: [x], network: "${NET}" }\n',
      },
      { env: { NET: 'hunter2-secret' } },
    );
    const d = p.files[0]!.diagnostics[0]!;
    expect(d.code).toBe('INVALID_VALUE');
    expect(JSON.stringify(p.files)).not.toContain('hunter2-secret');
    expect(d.message).toContain('[REDACTED]');
  });

  it('with noEnv, checks structure and not the placeholder values', async () => {
    const file =
      'version: 1\nname: a\nsource:\n  use: fixture\n  with: { programs: ["${PROG}"], network: "${NET}" }\n';
    const strict = await project({ 'pipelines/a.yaml': file });
    expect(errorsOf(strict).map((e) => e[0])).toEqual([
      'ENV_UNSET',
      'ENV_UNSET',
    ]);
    const loose = await project({ 'pipelines/a.yaml': file }, { noEnv: true });
    expect(errorsOf(loose)).toEqual([]);
  });

  it("adds the host config's secrets to every pipeline's", async () => {
    const t = writeTree({
      'package.json': '{ "name": "host" }',
      'backfill.config.yaml': `plugins: [${JSON.stringify(PLUGIN)}]\nstore: { use: fixture-store }\nsettings: { fixture: { token: "\${TOKEN}" } }\n`,
      'pipelines/a.yaml':
        'version: 1\nname: a\nsource: { use: fixture, with: { programs: [marginfi] } }\n',
    });
    trees.push(t);
    const p = await loadProject({ cwd: t.root, env: { TOKEN: 'tok-123456' } });
    expect(p.ok).toBe(true);
    expect(p.pipelines[0]!.secrets).toEqual(['tok-123456']);
    expect(p.pipelines[0]!.store).toEqual({ use: 'fixture-store', with: {} });
  });

  it('flags two files that define the same pipeline name', async () => {
    const body =
      'version: 1\nname: same\nsource: { use: fixture, with: { programs: [marginfi] } }\n';
    const p = await project({
      'pipelines/a.yaml': body,
      'pipelines/b.yaml': body,
    });
    expect(errorsOf(p)).toEqual([['DUPLICATE_PIPELINE', 2, 7, '/name']]);
    expect(p.files[1]!.file).toBe(join(p.root, 'pipelines/b.yaml'));
  });

  it('loads a file named twice once, however it is spelt', async () => {
    const body =
      'version: 1\nname: same\nsource: { use: fixture, with: { programs: [marginfi] } }\n';
    const p = await project(
      { 'pipelines/a.yaml': body },
      { paths: ['pipelines/a.yaml', './pipelines/a.yaml', 'pipelines'] },
    );
    expect(errorsOf(p)).toEqual([]);
    expect(p.files.map((f) => f.file)).toEqual(['pipelines/a.yaml']);
    expect(p.pipelines.map((s) => s.name)).toEqual(['same']);
  });

  it('throws PATH_NOT_FOUND for a path that does not exist', async () => {
    const error = await project({}, { paths: ['nope.yaml'] }).catch((e) => e);
    expect(BackfillError.is(error)).toBe(true);
    expect(error.code).toBe('PATH_NOT_FOUND');
  });
});

describe('job lists', () => {
  const LIST = `{
  "default_interval": "2h",
  "jobs": [
    { "name": "a", "schedule": "0 2 * * *",
      "request": { "source": "chain", "batch_size": 10,
                   "chain_params": { "programs": ["marginfi"], "start_block": 5, "end_block": 9 } },
      "max_retries": 1, "timeout": "1h" },
    { "name": "b", "enabled": false,
      "request": { "source": "glacier", "glacier_params": { "vault_name": "v" } } }
  ]
}`;

  it('map each job to a pipeline; a disabled one is kept and skipped', async () => {
    const p = await project({ 'jobs.json': LIST }, { paths: ['jobs.json'] });
    expect(p.ok).toBe(true);
    const file = join(p.root, 'jobs.json');
    expect(p.pipelines).toEqual([
      {
        name: 'a',
        enabled: true,
        schedule: { cron: '0 2 * * *' },
        window: { kind: 'slot', start: 5, end: 9 },
        source: {
          use: 'chain',
          plugin: 'old-sources',
          batchSize: 10,
          with: { programs: ['marginfi'] },
        },
        transform: [],
        store: { use: 'sqlite', with: {} },
        maxRetries: 1,
        timeoutMs: 3_600_000,
        concurrency: 1,
        secrets: [],
        origin: { file: 'jobs.json', kind: 'job-list', pointer: '/jobs/0' },
      },
      {
        name: 'b',
        enabled: false,
        schedule: { intervalMs: 7_200_000 },
        window: null,
        source: {
          use: 'glacier',
          plugin: 'old-sources',
          batchSize: 1000,
          with: { vault_name: 'v' },
        },
        transform: [],
        store: { use: 'sqlite', with: {} },
        maxRetries: 3,
        concurrency: 1,
        secrets: [],
        origin: { file: 'jobs.json', kind: 'job-list', pointer: '/jobs/1' },
      },
    ]);
    expect(p.files.at(-1)!.skipped).toEqual([
      { name: 'b', pointer: '/jobs/1', line: 8, column: 31 },
    ]);
    expect(file).toContain('jobs.json');
  });

  it('report a mistyped source once, with the names it could be', async () => {
    const p = await project(
      {
        'jobs.json':
          '[{ "name": "a", "request": { "source": "chian", "batch_size": 0 } }]',
      },
      { paths: ['jobs.json'] },
    );
    expect(p.files.at(-1)!.diagnostics).toMatchObject([
      {
        code: 'INVALID_VALUE',
        line: 1,
        column: 40,
        pointer: '/0/request/source',
        message:
          '[0].request.source must be one of "chain", "glacier", "off-chain", ' +
          'got "chian"; did you mean "chain"?',
      },
    ]);
  });

  it('report only the errors of the branch `source` picks', async () => {
    const p = await project(
      {
        'jobs.json':
          '[{ "name": "a", "request": { "source": "glacier", "batch_size": 0, "chain_params": {} } }]',
      },
      { paths: ['jobs.json'] },
    );
    expect(errorsOf(p)).toEqual([
      ['OUT_OF_RANGE', 1, 65, '/0/request/batch_size'],
      ['UNKNOWN_KEY', 1, 68, '/0/request/chain_params'],
    ]);
  });

  it("report each job's own errors when another job is wrong too", async () => {
    const p = await project(
      {
        'jobs.json':
          '{"jobs":[{"name":"x","request":{"source":"offchain"}},' +
          '{"name":"a","request":{"source":"chain","batch_size":"10",' +
          '"chain_params":{"programs":["marginfi"]}}}]}',
      },
      { paths: ['jobs.json'] },
    );
    expect(p.files.at(-1)!.diagnostics).toMatchObject([
      {
        code: 'INVALID_VALUE',
        line: 1,
        column: 42,
        message:
          'jobs[0].request.source must be one of "chain", "glacier", ' +
          '"off-chain", got "offchain"; did you mean "off-chain"?',
      },
      {
        code: 'WRONG_TYPE',
        line: 1,
        column: 108,
        message:
          'jobs[1].request.batch_size must be an integer, got the string "10"',
      },
    ]);
  });

  it('read BACKFILL_JOBS with positions inside the variable', async () => {
    const p = await project(
      {},
      {
        paths: [],
        jobsFromEnv: true,
        env: {
          BACKFILL_JOBS:
            '[\n  { "name": "a",\n    "request": { "source": "chain" },\n    "timeout": "1x" }\n]',
        },
      },
    );
    expect(p.files.at(-1)!.diagnostics).toMatchObject([
      { file: '$BACKFILL_JOBS', code: 'DURATION_INVALID', line: 4, column: 16 },
    ]);
  });
});
