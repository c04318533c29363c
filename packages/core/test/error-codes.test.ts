import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ERROR_CODES } from '../src/errors/codes.ts';

const docs = readFileSync(
  join(import.meta.dirname, '../../../docs/pipeline-language.md'),
  'utf8',
);
const section = docs.slice(
  docs.indexOf('## Error codes'),
  docs.indexOf('\n## ', docs.indexOf('## Error codes') + 1),
);
const documented = Object.fromEntries(
  [...section.matchAll(/^\| `([A-Z_]+)` +\| (.+?) *\|$/gm)].map((m) => [
    m[1],
    m[2],
  ]),
);

describe('the error catalogue', () => {
  it('is sorted', () => {
    const codes = Object.keys(ERROR_CODES);
    expect(codes).toEqual([...codes].sort());
  });

  it('is documented in docs/pipeline-language.md, word for word', () => {
    expect(documented).toEqual(ERROR_CODES);
  });
});
