import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { blocks, COMMANDS, listings } from './guide.ts';
import { HOST_REPO } from './install.ts';

describe('docs/write-a-source-plugin.md', () => {
  it('lists the host repository files exactly as they are', () => {
    const listed = listings();
    expect(listed.map((l) => l.path)).toEqual([
      'plugins/source-weather/package.json',
      'plugins/source-weather/schema.js',
      'plugins/source-weather/index.js',
      'plugins/source-weather/errors.js',
      'plugins/source-weather/test/conformance.test.js',
      'package.json',
      'backfill.config.yaml',
      'pipelines/stations.yaml',
      'mistakes/page-size.yaml',
    ]);
    for (const { path, body } of listed) {
      expect(body, path).toBe(readFileSync(join(HOST_REPO, path), 'utf8'));
    }
  });

  it('shows exactly the commands host-repo.test.ts runs', () => {
    expect(blocks('sh').map((b) => b.trim())).toEqual(Object.values(COMMANDS));
  });
});
