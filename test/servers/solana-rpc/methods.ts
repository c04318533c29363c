import { decodeBase58, encodeBase58 } from './base58.ts';
import type { ChainHistory, Json } from './history.ts';

/** A JSON-RPC error the node answers with. */
export class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** How a node reports a slot without a block; providers differ. */
export type SkippedSlotStyle = -32004 | -32007 | -32009 | 'null';

export interface MethodOptions {
  skippedSlotStyle: SkippedSlotStyle;
  /** Signatures answering null this many more times before their body. */
  lateTransactions: Map<string, number>;
}

type Params = unknown[];
type Method = (history: ChainHistory, params: Params, o: MethodOptions) => Json;

/** The Solana JSON-RPC methods the chain source uses, by name. */
export const METHODS: Record<string, Method> = {
  getSlot: (history) => history.lastSlot,
  getFirstAvailableBlock: (history) => history.firstSlot,
  getBlockTime(history, [slot], options) {
    if (typeof slot !== 'number') throw invalid('slot must be a number');
    const block = history.block(slot);
    if (slot > history.lastSlot) {
      throw new RpcFault(-32004, `Block not available for slot ${slot}`);
    }
    if (!block.skipped) return block.blockTime;
    return skippedAnswer(slot, options.skippedSlotStyle);
  },
  getBlock(history, [slot, config], options) {
    if (typeof slot !== 'number') throw invalid('slot must be a number');
    const { transactionDetails = 'full', commitment = 'finalized' } = (config ??
      {}) as { transactionDetails?: string; commitment?: string };
    if (commitment === 'processed') {
      throw invalid('Method does not support commitment below `confirmed`');
    }
    if (transactionDetails !== 'signatures' && transactionDetails !== 'none') {
      throw invalid(
        `this node serves transactionDetails signatures or none, not ${transactionDetails}`,
      );
    }
    if (slot > history.lastSlot) {
      throw new RpcFault(-32004, `Block not available for slot ${slot}`);
    }
    const block = history.block(slot);
    if (block.skipped) return skippedAnswer(slot, options.skippedSlotStyle);
    return blockOf(history, slot, block.blockTime, transactionDetails);
  },
  getSignaturesForAddress(history, [address, config]) {
    if (typeof address !== 'string' || decodeBase58(address)?.length !== 32) {
      throw invalid('Invalid param: Invalid');
    }
    const {
      limit = 1000,
      before,
      until,
    } = (config ?? {}) as {
      limit?: number;
      before?: string;
      until?: string;
    };
    if (limit < 1 || limit > 1000) throw invalid('Invalid limit; max 1000');
    return signaturesFor(history, address, limit, before, until);
  },
  getTransaction(history, [signature, config], options) {
    const { encoding = 'json', maxSupportedTransactionVersion } = (config ??
      {}) as { encoding?: string; maxSupportedTransactionVersion?: number };
    if (encoding !== 'json') {
      throw invalid(`this node serves encoding json only, not ${encoding}`);
    }
    if (typeof signature !== 'string') throw invalid('Invalid param');
    const late = options.lateTransactions.get(signature) ?? 0;
    if (late > 0) {
      options.lateTransactions.set(signature, late - 1);
      return null;
    }
    const result = history.transaction(signature);
    if (!result) return null;
    const { version } = result;
    const allowed = maxSupportedTransactionVersion;
    if (version !== 'legacy' && (allowed === undefined || allowed < version)) {
      throw new RpcFault(
        -32015,
        `Transaction version (${version}) is not supported by the ` +
          'requesting client. Please try the request again with the ' +
          'following configuration parameter: ' +
          `"maxSupportedTransactionVersion": ${version}`,
      );
    }
    if (allowed === undefined) {
      const { version: _legacy, ...rest } = result;
      return rest;
    }
    return result;
  },
  getProgramAccounts(history, [program, config]) {
    const { filters = [], encoding = 'base64' } = (config ?? {}) as {
      filters?: Array<{
        dataSize?: number;
        memcmp?: { offset: number; bytes: string };
      }>;
      encoding?: string;
    };
    if (encoding !== 'base64') throw invalid('base64 encoding only');
    const accounts = history.accounts(String(program)).filter((account) =>
      filters.every((filter) => {
        if (filter.dataSize !== undefined) {
          return account.data.length === filter.dataSize;
        }
        if (filter.memcmp) {
          const bytes = decodeBase58(filter.memcmp.bytes) ?? new Uint8Array();
          const at = filter.memcmp.offset;
          return bytes.every((b, i) => account.data[at + i] === b);
        }
        return true;
      }),
    );
    return accounts.map((account) => ({
      pubkey: account.pubkey,
      account: {
        data: [Buffer.from(account.data).toString('base64'), 'base64'],
        executable: false,
        lamports: account.lamports,
        owner: account.owner,
        rentEpoch: 18446744073709552000,
        space: account.data.length,
      },
    }));
  },
};

// ---------------------------------------------------------------------------

function invalid(message: string): RpcFault {
  return new RpcFault(-32602, message);
}

function skippedAnswer(slot: number, style: SkippedSlotStyle): Json {
  if (style === 'null') return null;
  const messages = {
    [-32004]: `Block not available for slot ${slot}`,
    [-32007]:
      `Slot ${slot} was skipped, or missing due to ledger jump to recent ` +
      'snapshot',
    [-32009]: `Slot ${slot} was skipped, or missing in long-term storage`,
  };
  throw new RpcFault(style, messages[style]);
}

/** Parents looked for below a block before its parent is called unknown. */
const MAX_PARENT_GAP = 1000;

/**
 * A getBlock result without transactions (the rewards left out, as the
 * source asks): the signatures in block order, votes included.
 */
function blockOf(
  history: ChainHistory,
  slot: number,
  blockTime: number | null,
  details: 'signatures' | 'none',
): Json {
  let parentSlot = slot - 1;
  while (
    parentSlot > slot - MAX_PARENT_GAP &&
    parentSlot >= history.firstSlot &&
    history.block(parentSlot).skipped
  ) {
    parentSlot--;
  }
  return {
    // The ledger keeps no block heights; old blocks answer null too.
    blockHeight: null,
    blockTime,
    blockhash: blockhashOf(slot),
    parentSlot,
    previousBlockhash: blockhashOf(parentSlot),
    ...(details === 'signatures'
      ? { signatures: history.blockSignatures(slot) }
      : {}),
  };
}

function blockhashOf(slot: number): string {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0xb10c);
  view.setUint32(4, Math.floor(slot / 2 ** 32));
  view.setUint32(8, slot >>> 0);
  return encodeBase58(bytes);
}

/**
 * Newest first from just below `before` (or the tip), stopping above
 * `until`; both bounds exclusive. As on a real node, a bound is any
 * signature of the ledger, whether or not it involves the address: its
 * slot and position in its block are what count. An unknown `before`
 * finds nothing.
 */
function signaturesFor(
  history: ChainHistory,
  address: string,
  limit: number,
  before?: string,
  until?: string,
): Json[] {
  const from = before ? history.locate(before) : undefined;
  if (before && !from) return [];
  const stop = until ? history.locate(until) : undefined;
  const rows: Json[] = [];
  for (const slot of history.activeSlots(address, from?.slot ?? Infinity)) {
    if (stop && slot < stop.slot) break;
    for (const entry of history.slotSignatures(address, slot)) {
      const index = entry.transactionIndex;
      if (from && slot === from.slot && index >= from.transactionIndex) {
        continue;
      }
      if (stop && slot === stop.slot && index <= stop.transactionIndex) {
        return rows;
      }
      rows.push({
        blockTime: entry.blockTime,
        confirmationStatus: 'finalized',
        err: entry.err,
        memo: null,
        signature: entry.signature,
        slot: entry.slot,
        transactionIndex: index,
      });
      if (rows.length === limit) return rows;
    }
  }
  return rows;
}
