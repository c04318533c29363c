import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import {
  attachProgressBar,
  terminalFacts,
} from '../../packages/cli/src/progress/index.ts';
import { createHooks } from '../../packages/core/src/engine/hooks.ts';

/** A terminal 120 columns wide that keeps what was drawn, ANSI removed. */
function fakeTerminal() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  Object.assign(stream, { isTTY: true, columns: 120 });
  return {
    stream,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI codes
    plain: () => text.replace(/\u001b(\[[0-9;?]*[A-Za-z]|[78])/g, ''),
    raw: () => text,
  };
}

describe('terminalFacts', () => {
  const tty = { isTTY: true };
  it.each([
    ['a terminal', tty, {}, {}, { tty: true, color: true, progress: true }],
    ['a pipe', {}, {}, {}, { tty: false, color: false, progress: false }],
    [
      'CI set',
      tty,
      { CI: 'true' },
      {},
      { tty: true, color: true, progress: false },
    ],
    [
      '--json',
      tty,
      {},
      { json: true },
      { tty: true, color: true, progress: false },
    ],
    [
      'NO_COLOR=1',
      tty,
      { NO_COLOR: '1' },
      {},
      { tty: true, color: false, progress: true },
    ],
    [
      'NO_COLOR empty',
      tty,
      { NO_COLOR: '' },
      {},
      { tty: true, color: true, progress: true },
    ],
    [
      '--no-color',
      tty,
      {},
      { color: false },
      { tty: true, color: false, progress: true },
    ],
  ])('on %s', (_name, stream, env, flags, expected) => {
    expect(terminalFacts({ stream, env, ...flags })).toEqual(expected);
  });
});

describe('attachProgressBar', () => {
  async function drive(facts: ReturnType<typeof terminalFacts>) {
    const terminal = fakeTerminal();
    const hooks = createHooks();
    const bar = attachProgressBar(hooks, { facts, stream: terminal.stream });
    const run = { pipeline: 'daily', runId: 'r1' };
    const chunk = (id: string) => ({
      ...run,
      chunk: { id, range: { kind: 'slot' as const, start: 0, end: 99 } },
    });
    const records = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: {} }));

    await hooks.lifecycle.runStart.promise({ ...run, chunks: 4 });
    await hooks.fetch.promise(
      { records: records(50), cursor: 1, progress: 0.5 },
      chunk('c1'),
    );
    await hooks.lifecycle.chunkEnd.promise({
      ...chunk('c1'),
      state: 'done',
      records: 100,
    });
    await hooks.fetch.promise(
      { records: records(150), cursor: 2, progress: 0.5 },
      chunk('c2'),
    );
    await hooks.lifecycle.runEnd.promise({
      ...run,
      chunks: 4,
      status: 'failed',
      recordsFetched: 200,
      recordsStored: 200,
      recordsDeadLettered: 0,
    });
    bar.stop();
    return terminal;
  }

  it('draws chunks, records and the share done on a terminal', async () => {
    const terminal = await drive(
      terminalFacts({ stream: { isTTY: true }, env: {}, color: false }),
    );
    // One chunk done and half of another, of four: 37.5%, shown floored.
    expect(terminal.plain()).toMatch(
      /daily .* 37% \| chunks 1\/4 \| 200 records \| ETA /,
    );
    expect(terminal.raw()).not.toContain('\u001b[36m');
  });

  it('colours the bar unless told not to', async () => {
    const terminal = await drive(
      terminalFacts({ stream: { isTTY: true }, env: {} }),
    );
    expect(terminal.raw()).toContain('\u001b[36m');
  });

  it('draws nothing in CI', async () => {
    const terminal = await drive(
      terminalFacts({ stream: { isTTY: true }, env: { CI: '1' } }),
    );
    expect(terminal.raw()).toBe('');
  });
});
