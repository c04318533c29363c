import { afterEach, describe, expect, it } from 'vitest';

import { cli, writeCountProject } from './cli.ts';
import { tempFolder } from './helpers.ts';

let folder: ReturnType<typeof tempFolder>;
afterEach(() => folder.remove());

describe('a window too large to be meant', () => {
  it('--hours beyond 20 years is wrong usage', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    expect(await cli(folder.cwd, 'run', '--hours', '1e7')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'backfill: --hours 1e7: give a positive number, at most 175320 ' +
        '(20 years)\n',
    });
  });

  it('a slot window of billions of chunks is refused, not planned', async () => {
    folder = tempFolder();
    writeCountProject(folder.cwd);
    const { code, stderr } = await cli(
      folder.cwd,
      'run',
      '--dry-run',
      '--from',
      '0',
      '--to',
      '1000000000000000',
    );
    expect(code).toBe(1);
    expect(stderr).toContain('[ENGINE_WINDOW_TOO_LARGE]');
  });
});
