import { describe, expect, it } from 'vitest';

import { loadText } from '../src/loader/document.ts';
import { validateDocument } from '../src/validate/project.ts';

function errorsOf(schedule: string) {
  const text = [
    'version: 1',
    'name: p',
    `schedule: "${schedule}"`,
    'source: { use: chain }',
    '',
  ].join('\n');
  const doc = loadText(text, 'p.yaml', { env: {} });
  return validateDocument(doc, {})
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => [d.code, d.line, d.column]);
}

describe('a cron that never fires', () => {
  it('is CRON_NEVER_RUNS at the schedule: 30 February, 31 April', () => {
    expect(errorsOf('0 0 30 2 *')).toEqual([['CRON_NEVER_RUNS', 3, 11]]);
    expect(errorsOf('0 0 0 31 4 *')).toEqual([['CRON_NEVER_RUNS', 3, 11]]);
  });

  it('leaves a rare but real date alone: 29 February, or a weekday', () => {
    expect(errorsOf('0 0 29 2 *')).toEqual([]);
    // Day of month and day of week combine with OR: every Monday.
    expect(errorsOf('0 0 30 2 1')).toEqual([]);
  });

  it('reports a syntax error once, as CRON_INVALID', () => {
    expect(errorsOf('0 0 32 2 *')).toEqual([['CRON_INVALID', 3, 11]]);
  });
});
