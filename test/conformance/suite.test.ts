// The conformance suite itself: a well-behaved in-memory source passes
// every check, and each kind of misbehaviour fails the check meant for it
// with a message saying what to fix.
import {
  definePlugin,
  type JsonSchema,
  PLUGIN_API_VERSION,
  PluginError,
  type SourceDefinition,
} from '@backfill/plugin-kit';
import {
  checkAbort,
  checkErrors,
  checkResume,
  checkSchema,
  checkSource,
  type SourceConformance,
} from '@backfill/plugin-kit/conformance';
import { describe, expect, it } from 'vitest';

interface Params {
  count: number;
  fail?: boolean;
}

const CLOSED: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['count'],
  properties: { count: { type: 'integer' }, fail: { type: 'boolean' } },
};

/** Keys k0..k(count-1), two a batch; the cursor is the next index. */
function listSource(
  overrides: Partial<SourceDefinition<Params>> & {
    resumeAt?: (cursor: number) => number;
    ignoreSignal?: boolean;
  } = {},
): SourceDefinition<Params> {
  const { resumeAt = (c) => c, ignoreSignal = false, ...rest } = overrides;
  return {
    name: 'list',
    schema: CLOSED,
    capabilities: { resumable: true, splittable: false, ranges: ['time'] },
    async *fetch(ctx) {
      if (ctx.params.fail) {
        throw new PluginError('the list is gone', {
          code: 'LIST_GONE',
          errorClass: 'fatal',
        });
      }
      let next = resumeAt(typeof ctx.cursor === 'number' ? ctx.cursor : 0);
      while (next < ctx.params.count) {
        if (!ignoreSignal) ctx.signal.throwIfAborted();
        await Promise.resolve();
        const end = Math.min(next + 2, ctx.params.count);
        const records = [];
        for (let i = next; i < end; i++) {
          records.push({ key: `k${i}`, value: { i } });
        }
        next = end;
        yield { records, cursor: next };
      }
    },
    ...rest,
  };
}

function conformance(
  source: SourceDefinition<Params>,
): SourceConformance<Params> {
  return {
    source,
    params: { count: 5 },
    failures: [
      {
        name: 'a list that is gone',
        params: { count: 5, fail: true },
        errorClass: 'fatal',
        code: 'LIST_GONE',
      },
    ],
  };
}

describe('the conformance suite', () => {
  it('passes a source that keeps the contract', async () => {
    const plugin = definePlugin({
      name: 'list',
      apiVersion: PLUGIN_API_VERSION,
      sources: [listSource()],
    });
    await expect(
      checkSource(conformance(plugin.sources[0]!)),
    ).resolves.toBeUndefined();
  });

  it('fails a schema that accepts unknown keys, naming where', () => {
    const open = listSource({
      schema: {
        type: 'object',
        properties: {
          count: { type: 'integer' },
          retry: {
            type: 'object',
            properties: { attempts: { type: 'integer' } },
          },
        },
      },
    });
    expect(() => checkSchema(conformance(open))).toThrow(
      expect.objectContaining({
        message: expect.stringContaining(
          'source "list": its schema must be closed; add ' +
            '"additionalProperties: false" at these pointers',
        ),
        actual: ['/', '/properties/retry'],
      }),
    );
  });

  it('fails a schema with a misspelt keyword', () => {
    const typo = listSource({
      schema: { ...CLOSED, additionalProperty: false },
    });
    expect(() => checkSchema(conformance(typo))).toThrow(
      /source "list": its schema does not compile as JSON Schema 2020-12: strict mode: unknown keyword: "additionalProperty"/,
    );
  });

  it('fails a source that ignores its cursor', async () => {
    const restarts = listSource({ resumeAt: () => 0 });
    await expect(checkResume(conformance(restarts))).rejects.toThrow(
      'source "list": still yielding after 8 restarts; its cursor does ' +
        'not advance',
    );
  });

  it('fails a source that repeats a record after a resume', async () => {
    // Resumed at 2, it starts again at 1: k1 twice.
    const overlaps = listSource({ resumeAt: (c) => (c === 2 ? 1 : c) });
    await expect(checkResume(conformance(overlaps))).rejects.toThrow(
      'source "list": keys yielded again after a resume from the cursor',
    );
  });

  it('fails a source that ends quietly when aborted', async () => {
    const deaf = listSource({ ignoreSignal: true });
    await expect(checkAbort(conformance(deaf))).rejects.toThrow(
      'source "list", aborted before its start, ended quietly',
    );
  });

  it('fails a source that throws an unclassified error', async () => {
    const plain = listSource({
      // biome-ignore lint/correctness/useYield: it only throws
      async *fetch() {
        throw new Error('boom');
      },
    });
    await expect(checkErrors(conformance(plain))).rejects.toThrow(
      'source "list", a list that is gone, threw Error: boom; throw a ' +
        'PluginError with a code and an errorClass instead',
    );
  });

  it('fails an error of the wrong class', async () => {
    const wrong = conformance(listSource());
    wrong.failures![0]!.errorClass = 'retriable';
    await expect(checkErrors(wrong)).rejects.toThrow(
      'source "list", a list that is gone, error LIST_GONE has the wrong class',
    );
  });
});
