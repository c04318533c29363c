// Runs the README's offline command, `pnpm demo`, exactly as written, and
// checks the rows of the database it reports against the demo node's own
// ledger.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { expectedRows } from '../chain/ledger.ts';
import { query, tableContent } from '../engine/helpers.ts';
import {
  demoHistory,
  LEVERAGE,
  MARGINFI,
} from '../servers/solana-rpc/index.ts';
import { type DemoGap, gapLine } from './report.ts';

const ROOT = join(import.meta.dirname, '../..');
const COMPUTE_BUDGET = 'ComputeBudget111111111111111111111111111111';
const TOKEN = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
/** The recorded mainnet transaction kept as recorded (solana-kiss). */
const KISS =
  '5GkSm41sEeE72H2tVnpV8SRgz6476ikz6T2x7ANJ6btGbK1zzKa1523Tf7nkGm88b7tCA' +
  '4zoHXiDqGDUqD3AAm8D';

function pnpmDemo(): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
}> {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['demo'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => {
      stdout += data;
    });
    child.stderr.on('data', (data) => {
      stderr += data;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first group of `pattern` in the demo's output. */
function printed(stdout: string, pattern: RegExp): string {
  const match = pattern.exec(stdout);
  if (!match?.[1]) throw new Error(`${pattern} not in:\n${stdout}`);
  return match[1];
}

describe('pnpm demo', () => {
  it("fills the database it names with the node's last 24 hours", {
    timeout: 180_000,
  }, async () => {
    const { code, stdout, stderr } = await pnpmDemo();
    expect(code, stdout).toBe(0);
    // A warning per chunk once drowned the logs (listeners on the chunk
    // signal, one per pending RPC wait in the chain source).
    expect(stderr.match(/MaxListenersExceededWarning/g)).toBeNull();
    const file = printed(stdout, /^database: +(\S+)$/m);
    onTestFinished(() =>
      rmSync(dirname(dirname(file)), { recursive: true, force: true }),
    );
    const tip = Number(printed(stdout, /tip is slot (\d+)/));
    const [start, end] = printed(stdout, /^slots covered: +(\d+ to \d+)/m)
      .split(' to ')
      .map(Number) as [number, number];
    const records = printed(stdout, /^records stored: +([\d,]+)/m);

    // A day of slots at mainnet pace (about 0.39 s a slot), to the tip.
    expect(end).toBe(tip);
    expect(end - start).toBeGreaterThan(215_000);
    expect(end - start).toBeLessThan(230_000);

    const history = demoHistory(tip);
    const programs = [MARGINFI, LEVERAGE, COMPUTE_BUDGET, TOKEN];
    const expected = expectedRows(history, programs, start, end);
    const stored = tableContent(file, 'chain');
    expect(new Set(stored.keys())).toEqual(expected.keys);
    expect(records).toBe(expected.keys.size.toLocaleString('en-US'));
    expect(
      query(file, 'SELECT ref FROM gaps ORDER BY ref').map(
        (g) => (g as { ref: string }).ref,
      ),
    ).toEqual([...expected.gaps].sort());
    expect(expected.gaps.size).toBe(2);
    // The summary says which signatures and why, one line each.
    const gaps = query(
      file,
      'SELECT pipeline, ref, reason FROM gaps ORDER BY id',
    ) as DemoGap[];
    const summary = stdout.slice(stdout.indexOf('\ngaps: '));
    expect(summary.split('\n').slice(1, 6)).toEqual([
      'gaps:            2',
      '                 signatures the node lists but cannot serve (the',
      '                 recording has no body for them); a run with gaps',
      "                 succeeds, each is kept in the ledger's gaps table:",
      `                 ${gapLine(gaps[0]!)}`,
    ]);
    expect(summary.split('\n')[6]).toBe(
      `                 ${gapLine(gaps[1]!)}`,
    );
    expect(gapLine(gaps[0]!)).toBe(
      `${gaps[0]!.ref.split(':')[1]} (Tokenkeg..., demo-recorded): ` +
        gaps[0]!.reason,
    );
    expect(gaps[0]!.reason).toMatch(
      /^getTransaction returned null 4 times \(slot \d+\)$/,
    );

    // The recorded mainnet transactions: real bodies, moved into the day.
    const recorded = [...stored.keys()].filter((key) =>
      key.startsWith(COMPUTE_BUDGET),
    );
    expect(recorded).toHaveLength(4);
    const kiss = JSON.parse(stored.get(`${COMPUTE_BUDGET}:${KISS}`) ?? '{}');
    expect(kiss).toMatchObject({
      signature: KISS,
      err: null,
      fee: 32510,
      compute_units: 42381,
      version: 0,
      program_alias: null,
    });
    expect(kiss.account_keys).toContain(
      'DttWaMuVvTiduZRnguLF7jNxTgiMBZ1hyAumKUiL2KRL',
    );
    expect(kiss.slot).toBeGreaterThanOrEqual(start);
    expect(kiss.slot).toBeLessThanOrEqual(end);

    expect(
      query(file, 'SELECT pipeline, status FROM runs ORDER BY started_at'),
    ).toEqual([
      { pipeline: 'daily-sync', status: 'succeeded' },
      { pipeline: 'demo-recorded', status: 'succeeded' },
    ]);
  });
});
