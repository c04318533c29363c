import { describe, expect, it } from 'vitest';

import plugin, { chainSource } from '../src/index.ts';

const check = (params: object, settings: Record<string, unknown> = {}) =>
  chainSource.check?.(params as never, settings) ?? [];

describe('chain source check', () => {
  it('is the default export of @backfill/source-chain', () => {
    expect(plugin.name).toBe('@backfill/source-chain');
    expect(plugin.sources?.map((source) => source.name)).toEqual(['chain']);
    expect(chainSource.capabilities).toEqual({
      resumable: true,
      splittable: true,
      ranges: ['time', 'slot'],
    });
  });

  it('accepts built-in aliases and 32-byte base58 addresses', () => {
    expect(
      check({
        programs: [
          'marginfi',
          'leverage',
          '1avaAUcjccXCjSZzwUvB2gS3DzkkieV2Mw8CjdN65uu',
        ],
      }),
    ).toEqual([]);
  });

  it('accepts aliases from the host config', () => {
    const settings = {
      program_aliases: {
        'leverage-v2': '1avaAUcjccXCjSZzwUvB2gS3DzkkieV2Mw8CjdN65uu',
      },
    };
    expect(check({ programs: ['leverage-v2'] }, settings)).toEqual([]);
  });

  it('names a near alias for a misspelt program', () => {
    expect(check({ programs: ['marginfi', 'levrage'] })).toEqual([
      {
        pointer: '/programs/1',
        code: 'CHAIN_PROGRAM_UNKNOWN',
        message:
          '"levrage" is neither a program alias nor an address; ' +
          'did you mean "leverage"?',
      },
    ]);
  });

  it('refuses an address that is not 32 bytes', () => {
    const [problem] = check({ programs: ['MFv2hWf31Z9kbCa1snEPYctwafyhdv'] });
    expect(problem?.pointer).toBe('/programs/0');
    expect(problem?.message).toBe(
      '"MFv2hWf31Z9kbCa1snEPYctwafyhdv" is neither a program alias nor an ' +
        'address; use an alias (marginfi, leverage), add one under ' +
        'program_aliases in the config, or give a base58 address',
    );
  });

  it('refuses a reversed slot range and filters outside accounts mode', () => {
    const problems = check({
      programs: ['marginfi'],
      start_block: 10,
      end_block: 5,
      data_size: 165,
      memcmp: [{ offset: 0, bytes: '0OIl' }],
    });
    expect(problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/end_block', 'CHAIN_RANGE_REVERSED'],
      ['/data_size', 'CHAIN_FILTER_NEEDS_ACCOUNTS_MODE'],
      ['/memcmp', 'CHAIN_FILTER_NEEDS_ACCOUNTS_MODE'],
      ['/memcmp/0/bytes', 'CHAIN_MEMCMP_NOT_BASE58'],
    ]);
  });

  it('loads no Solana SDK module until fetch', async () => {
    const { readFile } = await import('node:fs/promises');
    const light = ['index', 'check', 'params', 'aliases', 'base58'];
    for (const name of light) {
      const url = new URL(`../src/${name}.ts`, import.meta.url);
      const text = await readFile(url, 'utf8');
      expect([name, text.includes("from '@solana/")]).toEqual([name, false]);
    }
  });
});
