import { join } from 'node:path';
import { Writable } from 'node:stream';

import {
  definePlugin,
  PLUGIN_API_VERSION,
  PluginError,
} from '@backfill/plugin-kit';
import sqlite from '@backfill/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';

import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import { createLogger } from '../../packages/core/src/logging/logger.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';
import tap from '../fixtures/plugins/tap-plugin/index.ts';
import { countingPipeline, query, tempFolder } from './helpers.ts';

const SECRET = 'tok-8f3a2c91';

/** A source that logs and fails the way a careless HTTP source would. */
const leaky = definePlugin({
  name: 'backfill-plugin-leaky',
  apiVersion: PLUGIN_API_VERSION,
  sources: [
    {
      name: 'leaky',
      schema: { type: 'object' },
      capabilities: { resumable: true, splittable: true, ranges: ['slot'] },
      // biome-ignore lint/correctness/useYield: it fails before any batch
      async *fetch(ctx) {
        ctx.logger.info(
          {
            url: `https://api.example/v1/offers?key=${SECRET}`,
            headers: { Authorization: 'Bearer abc', accept: 'json' },
          },
          'requesting',
        );
        throw new PluginError(
          `GET https://api.example/v1/offers?key=${SECRET} returned 401`,
          { code: 'LEAKY_AUTH', errorClass: 'fatal' },
        );
      },
    },
  ],
});

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

describe('the run logger', () => {
  it('redacts secret values and secret keys on the lines a run writes', async () => {
    folder = tempFolder();
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ secrets: [SECRET], destination });
    const spec = {
      ...countingPipeline({
        source: { use: 'leaky', batchSize: 10, with: {} },
      }),
      secrets: [SECRET],
    };
    const summary = await runPipeline(spec, {
      registry: registryOf([leaky, sqlite]),
      cwd: folder.cwd,
      logger,
    });
    expect(summary.status).toBe('failed');

    expect(lines.filter((l) => l.includes(SECRET))).toEqual([]);
    const parsed = lines.map((l) => JSON.parse(l));
    const requesting = parsed.find((l) => l.msg === 'requesting');
    expect(requesting).toMatchObject({
      url: 'https://api.example/v1/offers?key=[REDACTED]',
      headers: { Authorization: '[REDACTED]', accept: 'json' },
    });
    const failed = parsed.find((l) => l.msg === 'chunk failed');
    expect(failed.err.message).toBe(
      'GET https://api.example/v1/offers?key=[REDACTED] returned 401',
    );
    expect(failed).toMatchObject({
      pipeline: 'counting',
      level: 'error',
      err: { type: 'PluginError', code: 'LEAKY_AUTH', errorClass: 'fatal' },
    });
    // The stack is kept, its copy of the message redacted too.
    expect(failed.err.stack.split('\n')[0]).toBe(
      'PluginError: GET https://api.example/v1/offers?key=[REDACTED] ' +
        'returned 401',
    );
  });
});

describe('the ledger', () => {
  it('keeps secret values out of the errors it stores for status', async () => {
    folder = tempFolder();
    const spec = {
      ...countingPipeline({
        source: { use: 'leaky', batchSize: 10, with: {} },
      }),
      secrets: [SECRET],
    };
    const summary = await runPipeline(spec, {
      registry: registryOf([leaky, sqlite]),
      cwd: folder.cwd,
    });
    expect(summary.status).toBe('failed');
    const db = join(folder.cwd, '.backfill/backfill.db');
    const said =
      'GET https://api.example/v1/offers?key=[REDACTED] returned 401';
    expect(query(db, 'SELECT error FROM runs')).toEqual([{ error: said }]);
    expect(query(db, 'SELECT last_error FROM chunks')).toEqual([
      { last_error: said },
    ]);
  });

  it("keeps them out of a dead letter's error too", async () => {
    folder = tempFolder();
    const spec = {
      ...countingPipeline({
        maxRetries: 0,
        with: { poison_slot: 42 },
        transform: [{ use: 'reject-poison', with: {} }],
      }),
      secrets: ['slot-42'],
    };
    const summary = await runPipeline(spec, {
      registry: registryOf([counting, sqlite, tap]),
      cwd: folder.cwd,
    });
    expect(summary.recordsDeadLettered).toBe(1);
    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(query(db, 'SELECT error_message FROM dead_letters')).toEqual([
      { error_message: 'poison [REDACTED]' },
    ]);
  });
});

describe('a retry', () => {
  it('is one warn line with the code and message, without a stack', async () => {
    folder = tempFolder();
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const summary = await runPipeline(
      countingPipeline({ with: { fail_times: 1 } }),
      {
        registry: registryOf([counting, sqlite]),
        cwd: folder.cwd,
        logger: createLogger({ secrets: [], destination }),
        retry: { baseMs: 1, random: () => 0 },
      },
    );
    expect(summary.status).toBe('succeeded');
    const warns = lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({
      msg: 'source failed, retrying from the last committed cursor',
      code: 'COUNTING_SCRIPTED',
      error: 'scripted failure 1',
      attempt: 1,
    });
    expect(warns[0]).not.toHaveProperty('err');
  });
});
