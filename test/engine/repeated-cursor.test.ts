import { join } from 'node:path';

import {
  definePlugin,
  PLUGIN_API_VERSION,
  type SourceBatch,
} from '@backfill/plugin-kit';
import sqlite from '@backfill/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';

import {
  registryOf,
  runPipeline,
} from '../../packages/core/src/engine/index.ts';
import { countingPipeline, query, tempFolder } from './helpers.ts';

/** Serves page 1, then page 2 again and again with the same cursor. */
const looping = definePlugin({
  name: 'backfill-plugin-looping',
  apiVersion: PLUGIN_API_VERSION,
  sources: [
    {
      name: 'looping',
      schema: { type: 'object' },
      capabilities: { resumable: true, splittable: false, ranges: ['slot'] },
      async *fetch(): AsyncIterable<SourceBatch> {
        yield { records: [{ key: 'a', value: { n: 1 } }], cursor: { page: 2 } };
        // Bounded, so that a missing guard fails the test, not hangs it.
        for (let i = 0; i < 50; i++) {
          yield {
            records: [{ key: 'b', value: { n: 2 } }],
            cursor: { page: 2 },
          };
        }
      },
    },
  ],
});

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

describe('a source that repeats its cursor', () => {
  it('fails the chunk with ENGINE_CURSOR_REPEATED instead of looping', async () => {
    folder = tempFolder();
    const summary = await runPipeline(
      countingPipeline({ source: { use: 'looping', batchSize: 1, with: {} } }),
      { registry: registryOf([looping, sqlite]), cwd: folder.cwd },
    );

    expect(summary).toMatchObject({
      status: 'failed',
      // The repeated page is refused whole: it would be served forever.
      recordsFetched: 1,
      recordsStored: 1,
      error: {
        code: 'ENGINE_CURSOR_REPEATED',
        message:
          'the source returned 1 records with the cursor {"page":2} it had ' +
          'already returned: it is looping on one page; fix the source or ' +
          'its cursor',
      },
    });
    const db = join(folder.cwd, '.backfill/backfill.db');
    expect(query(db, 'SELECT key FROM looping')).toEqual([{ key: 'a' }]);
    expect(query(db, 'SELECT state, cursor, attempts FROM chunks')).toEqual([
      { state: 'failed', cursor: '{"page":2}', attempts: 1 },
    ]);
  });
});
