import sqlite from '@backfill/store-sqlite';
import { describe, expect, it } from 'vitest';

import { messageOf } from '../../packages/core/src/engine/errors.ts';
import {
  registryOf,
  replayDeadLetters,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import { filter } from '../../packages/core/src/transforms/filter.ts';
import counting from '../fixtures/plugins/counting-source/index.ts';
import { captureLogger, type LoggedLine } from '../support/capture-logger.ts';
import { countingPipeline, tempFolder } from './helpers.ts';

describe('messageOf', () => {
  it('reads the string message of a plain object (what JSONata throws)', () => {
    expect(
      messageOf({ code: 'D3137', message: 'bad amount', token: 'x' }),
    ).toBe('bad amount');
  });

  it('gives a short JSON of an object without a message', () => {
    expect(messageOf({ code: 'E1', detail: 3 })).toBe(
      '{"code":"E1","detail":3}',
    );
    expect(messageOf({ blob: 'x'.repeat(500) })).toHaveLength(200);
  });

  it('keeps Errors and primitives as they were', () => {
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf('plain')).toBe('plain');
  });
});

describe('the filter transform', () => {
  it('wraps an evaluation error in TRANSFORM_FILTER_EVAL without a cause', async () => {
    const keep = filter.create(
      { where: "amount = 30 ? $error('bad amount') : true" },
      // biome-ignore lint/suspicious/noExplicitAny: the filter reads no context
      {} as any,
    );
    const error = await Promise.resolve(
      keep({ key: 'a', value: { amount: 30 } }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'PluginError',
      code: 'TRANSFORM_FILTER_EVAL',
      errorClass: 'fatal',
      message: 'bad amount',
      details: { jsonataCode: 'D3137' },
    });
    expect((error as Error).cause).toBeUndefined();
    expect(await keep({ key: 'b', value: { amount: 31 } })).toEqual({
      key: 'b',
      value: { amount: 31 },
    });
  });
});

describe('dlq replay of a record the filter still throws on', () => {
  it('logs the coded message at warn, without a stack', async () => {
    const folder = tempFolder();
    try {
      const spec = countingPipeline({
        window: { kind: 'slot', start: 0, end: 99 },
        transform: [
          {
            use: 'filter',
            with: { where: "slot = 42 ? $error('bad amount') : true" },
          },
        ],
      });
      const registry = registryOf([counting, sqlite]);
      const options = { registry, cwd: folder.cwd };
      expect(await runPipeline(spec, options)).toMatchObject({
        recordsStored: 99,
        recordsDeadLettered: 1,
      });

      const lines: LoggedLine[] = [];
      const result = await replayDeadLetters(spec, {
        ...options,
        logger: captureLogger(lines),
      });
      expect(result.failed).toEqual([
        { id: 1, key: 'slot-42', error: 'bad amount' },
      ]);
      expect(lines.filter(([level]) => level === 'warn')).toEqual([
        [
          'warn',
          {
            key: 'slot-42',
            code: 'TRANSFORM_FILTER_EVAL',
            error: 'bad amount',
          },
          'replay failed',
        ],
      ]);
    } finally {
      folder.remove();
    }
  });
});
