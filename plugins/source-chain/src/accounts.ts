import type { SourceBatch, SourceRecord } from '@backfill/plugin-kit';

import type { Program } from './aliases.ts';
import type { ChainParams } from './params.ts';
import type { ChainRpc } from './rpc.ts';

/** Where an accounts snapshot stands: programs done, accounts of the next. */
export interface AccountsCursor {
  mode: 'accounts';
  program: number;
  offset: number;
}

interface RawAccount {
  pubkey: string;
  account: {
    data: [string, string];
    lamports: number;
    owner: string;
    executable?: boolean;
    space?: number;
  };
}

/**
 * A snapshot of each program's accounts (getProgramAccounts with the
 * `data_size`/`memcmp` filters), records keyed `<program>:<address>`. The
 * chunk's range does not apply: a snapshot is of the slot it is taken at.
 */
export async function* snapshotAccounts(
  rpc: ChainRpc,
  programs: Program[],
  params: ChainParams,
  batchSize: number,
  resume: AccountsCursor | null,
): AsyncGenerator<SourceBatch> {
  const commitment = params.commitment ?? 'finalized';
  const filters = [
    ...(params.data_size !== undefined ? [{ dataSize: params.data_size }] : []),
    ...(params.memcmp ?? []).map((memcmp) => ({ memcmp })),
  ];
  for (let p = resume?.program ?? 0; p < programs.length; p++) {
    const program = programs[p] as Program;
    const slot = await rpc.call<number>('getSlot', [{ commitment }]);
    const accounts = await rpc.call<RawAccount[]>('getProgramAccounts', [
      program.address,
      { encoding: 'base64', commitment, filters },
    ]);
    accounts.sort((a, b) => (a.pubkey < b.pubkey ? -1 : 1));
    const from = p === resume?.program ? resume.offset : 0;
    for (let at = from; at < accounts.length; at += batchSize) {
      const records = accounts
        .slice(at, at + batchSize)
        .map((raw) => accountRecord(program, raw, slot));
      const offset = at + records.length;
      const done = offset >= accounts.length;
      const cursor: AccountsCursor = done
        ? { mode: 'accounts', program: p + 1, offset: 0 }
        : { mode: 'accounts', program: p, offset };
      yield { records, cursor: { ...cursor } };
    }
  }
}

function accountRecord(
  program: Program,
  raw: RawAccount,
  slot: number,
): SourceRecord {
  const [data] = raw.account.data;
  return {
    key: `${program.address}:${raw.pubkey}`,
    value: {
      address: raw.pubkey,
      program_id: program.address,
      program_alias: program.alias,
      owner: raw.account.owner,
      lamports: raw.account.lamports,
      data_size: Buffer.from(data, 'base64').length,
      data_base64: data,
      snapshot_slot: slot,
    },
  };
}
