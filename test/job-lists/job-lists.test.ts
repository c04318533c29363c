import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type GlacierServer,
  startGlacierServer,
} from '../servers/glacier/index.ts';
import {
  type HttpApiServer,
  idsBetween,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import type { ChainHistory } from '../servers/solana-rpc/history.ts';
import {
  generatedHistory,
  LEVERAGE,
  MARGINFI,
  type SolanaRpcServer,
  startSolanaRpcServer,
} from '../servers/solana-rpc/index.ts';
import { backfill, storedKeys } from './cli.ts';

const HERE = import.meta.dirname;
const THREE_SOURCES = join(HERE, 'three-sources.json');
const DESIGN_EXAMPLE = join(HERE, 'design-example.json');
const TABLES = ['chain', 'glacier', 'off_chain'];

// Short ledgers at the top of each job's slot range: the walk, newest
// first, reaches the range at once and a run takes seconds.
const THREE_SOURCES_LEDGER = { firstSlot: 250_099_991, slotCount: 10 };
const DESIGN_LEDGER = { firstSlot: 999_991, slotCount: 10 };

let chain: SolanaRpcServer;
let designChain: SolanaRpcServer;
let glacier: GlacierServer;
let api: HttpApiServer;
let archiveId: string;
const folders: string[] = [];

beforeAll(async () => {
  chain = await startSolanaRpcServer({
    history: generatedHistory(THREE_SOURCES_LEDGER),
  });
  designChain = await startSolanaRpcServer({
    history: generatedHistory(DESIGN_LEDGER),
  });
  glacier = await startGlacierServer();
  glacier.createVault('margin-offers-archive');
  archiveId = glacier.addArchive({
    vault: 'margin-offers-archive',
    body: offers(4),
  });
  api = await startHttpApiServer({ records: 25, pageSize: 10 });
});
afterAll(async () => {
  await Promise.all([
    chain.close(),
    designChain.close(),
    glacier.close(),
    api.close(),
  ]);
  for (const folder of folders)
    rmSync(folder, { recursive: true, force: true });
});

/** The loopback endpoints, the way the older jobs find theirs. */
function endpoints(rpc: SolanaRpcServer): NodeJS.ProcessEnv {
  return {
    SOLANA_RPC_URL: rpc.url,
    AWS_ENDPOINT_URL_GLACIER: glacier.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    OFFCHAIN_API_URL: `${api.url}/next-url`,
  };
}

function workdir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'backfill-job-list-'));
  folders.push(folder);
  return folder;
}

describe('the older job lists', () => {
  it('backfill validate accepts both, reporting the disabled job', async () => {
    const cwd = workdir();
    const result = await backfill(
      ['validate', DESIGN_EXAMPLE, THREE_SOURCES],
      cwd,
    );
    expect(result.stderr + result.stdout).toContain(
      '"legacy-leverage-v2" is disabled (enabled: false): skipped',
    );
    expect(result.code).toBe(0);
  });

  it('the three-source list stores each source, skips the disabled job', async () => {
    const cwd = workdir();
    const result = await backfill(
      ['run', '--config', THREE_SOURCES],
      cwd,
      endpoints(chain),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'three-sources.json:57:18: JOB_DISABLED "legacy-leverage-v2" is ' +
        'disabled (enabled: false): skipped',
    );
    expect(storedKeys(cwd, TABLES)).toEqual({
      chain: chainKeys(
        generatedHistory(THREE_SOURCES_LEDGER),
        250_000_000,
        250_100_000,
      ),
      glacier: [0, 1, 2, 3].map((i) => `${archiveId}:offer-${i}`),
      off_chain: idsBetween(1, 25),
    });
  });

  it('the same jobs through BACKFILL_JOBS, no pipelines folder, store the same rows', async () => {
    const cwd = workdir();
    const list = JSON.parse(readFileSync(THREE_SOURCES, 'utf8'));
    const jobs = JSON.stringify(list.jobs);
    // The disabled job is reported at its `false`, on the one line.
    const column = jobs.indexOf('"enabled":false') + '"enabled":'.length + 1;
    const result = await backfill(['run'], cwd, {
      ...endpoints(chain),
      BACKFILL_JOBS: jobs,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `$BACKFILL_JOBS:1:${column}: JOB_DISABLED "legacy-leverage-v2" is ` +
        'disabled (enabled: false): skipped',
    );
    expect(storedKeys(cwd, TABLES)).toEqual({
      chain: chainKeys(
        generatedHistory(THREE_SOURCES_LEDGER),
        250_000_000,
        250_100_000,
      ),
      glacier: [0, 1, 2, 3].map((i) => `${archiveId}:offer-${i}`),
      off_chain: idsBetween(1, 25),
    });
  });

  it('the DESIGN.md example runs as written: marginfi, slots 0 to 1,000,000', async () => {
    const cwd = workdir();
    const result = await backfill(
      ['run', '--config', DESIGN_EXAMPLE],
      cwd,
      endpoints(designChain),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(storedKeys(cwd, ['chain'])).toEqual({
      chain: chainKeys(generatedHistory(DESIGN_LEDGER), 0, 1_000_000, [
        MARGINFI,
      ]),
    });
  });
});

// ---------------------------------------------------------------------------

/** JSON lines of `count` margin offers. */
function offers(count: number): Buffer {
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ id: `offer-${i}`, market: 'SOL-USDC', rate_bps: 500 + i }),
  );
  return Buffer.from(`${lines.join('\n')}\n`);
}

/**
 * The chain records the ledger makes within [start, end]: one per program
 * and signature (a transaction touching both programs makes two).
 */
function chainKeys(
  history: ChainHistory,
  start: number,
  end: number,
  programs = [MARGINFI, LEVERAGE],
): string[] {
  const keys: string[] = [];
  for (const program of programs) {
    for (const slot of history.activeSlots(program, end)) {
      if (slot < start) break;
      for (const entry of history.slotSignatures(program, slot)) {
        keys.push(`${program}:${entry.signature}`);
      }
    }
  }
  return keys.sort();
}
