import type { Json, SourceRecord } from '@backfill/plugin-kit';

import type { Program } from './aliases.ts';

interface RawInstruction {
  programIdIndex: number;
  accounts?: number[];
  data?: string;
  stackHeight?: number | null;
}

/** The parts of a getTransaction result (json encoding) the record uses. */
interface RawTransaction {
  slot: number;
  blockTime?: number | null;
  version?: 'legacy' | number;
  meta?: {
    err?: Json;
    fee?: number;
    computeUnitsConsumed?: number;
    logMessages?: string[] | null;
    loadedAddresses?: { writable?: string[]; readonly?: string[] };
    innerInstructions?: Array<{
      index: number;
      instructions: RawInstruction[];
    }> | null;
  } | null;
  transaction: {
    signatures: string[];
    message: { accountKeys: string[]; instructions: RawInstruction[] };
  };
}

/**
 * The record of one transaction for one program (see the README for the
 * shape). A transaction touching two programs makes one record for each.
 */
export function transactionRecord(
  program: Program,
  signature: string,
  raw: unknown,
): SourceRecord {
  const tx = raw as RawTransaction;
  const meta = tx.meta ?? {};
  const loaded = meta.loadedAddresses ?? {};
  // Instruction indexes point into static keys, then loaded writable, then
  // loaded readonly addresses.
  const keys = [
    ...tx.transaction.message.accountKeys,
    ...(loaded.writable ?? []),
    ...(loaded.readonly ?? []),
  ];
  const instruction = (
    ix: RawInstruction,
    index: number,
    innerIndex: number | null,
  ): Json => ({
    index,
    inner_index: innerIndex,
    stack_height: ix.stackHeight ?? null,
    program_id: keys[ix.programIdIndex] ?? null,
    accounts: (ix.accounts ?? []).map((i) => keys[i] ?? null),
    data: ix.data ?? '',
  });
  const mine = (ix: RawInstruction) =>
    keys[ix.programIdIndex] === program.address;

  const instructions: Json[] = [];
  tx.transaction.message.instructions.forEach((ix, index) => {
    if (mine(ix)) instructions.push(instruction(ix, index, null));
  });
  for (const group of meta.innerInstructions ?? []) {
    group.instructions.forEach((ix, inner) => {
      if (mine(ix)) instructions.push(instruction(ix, group.index, inner));
    });
  }

  return {
    key: `${program.address}:${signature}`,
    value: {
      signature,
      slot: tx.slot,
      block_time: tx.blockTime ?? null,
      program_id: program.address,
      program_alias: program.alias,
      err: meta.err ?? null,
      fee: meta.fee ?? null,
      compute_units: meta.computeUnitsConsumed ?? null,
      version: tx.version ?? 'legacy',
      account_keys: keys,
      instructions,
      log_messages: meta.logMessages ?? [],
    },
  };
}
