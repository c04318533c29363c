/** A JSON value, as the server sends it. */
export type Json =
  | null
  | boolean
  | number
  | string
  | Json[]
  | { [key: string]: Json };

/** One row of getSignaturesForAddress, before the server adds its fields. */
export interface SignatureEntry {
  signature: string;
  slot: number;
  err: Json;
  blockTime: number | null;
  /** Position in the block: orders one slot's signatures (newest first). */
  transactionIndex: number;
}

/** A block as getBlockTime sees it. */
export type BlockInfo =
  | { skipped: true }
  | { skipped: false; blockTime: number | null };

/** An account as getProgramAccounts returns it. */
export interface AccountEntry {
  pubkey: string;
  owner: string;
  lamports: number;
  data: Uint8Array;
}

/** A getTransaction result in `json` encoding, with its `version`. */
export type TransactionResult = { version: 'legacy' | number } & {
  [key: string]: Json;
};

/**
 * The ledger the loopback server answers from: recorded or generated, read
 * lazily so that a long history never sits in memory.
 */
export interface ChainHistory {
  readonly firstSlot: number;
  readonly lastSlot: number;
  block(slot: number): BlockInfo;
  /**
   * The signatures of every transaction in a block (votes and other
   * programs too), in block order; none for a skipped slot.
   */
  blockSignatures(slot: number): string[];
  /** Slots at or below `fromSlot` where `address` appears, newest first. */
  activeSlots(address: string, fromSlot: number): Iterable<number>;
  /** The address's signatures in one slot, highest index first. */
  slotSignatures(address: string, slot: number): SignatureEntry[];
  /** Where a signature sits; undefined when the ledger never saw it. */
  locate(signature: string): SignatureEntry | undefined;
  /** The transaction; null when the ledger lacks its body. */
  transaction(signature: string): TransactionResult | null;
  accounts(program: string): AccountEntry[];
}

/** Several histories answering as one (recorded beside generated). */
export function mergeHistories(parts: ChainHistory[]): ChainHistory {
  const covering = (slot: number) =>
    parts.find((part) => part.firstSlot <= slot && slot <= part.lastSlot);
  const locate = (signature: string) => {
    for (const part of parts) {
      const entry = part.locate(signature);
      if (entry) return entry;
    }
    return undefined;
  };
  return {
    firstSlot: Math.min(...parts.map((part) => part.firstSlot)),
    lastSlot: Math.max(...parts.map((part) => part.lastSlot)),
    block(slot) {
      for (const part of parts) {
        const info = part.block(slot);
        if (!info.skipped) return info;
      }
      return covering(slot)?.block(slot) ?? { skipped: true };
    },
    blockSignatures(slot) {
      const located = parts
        .flatMap((part) => part.blockSignatures(slot))
        .map((signature) => locate(signature) as SignatureEntry);
      located.sort((a, b) => a.transactionIndex - b.transactionIndex);
      return located.map((entry) => entry.signature);
    },
    *activeSlots(address, fromSlot) {
      const iterators = parts.map((part) =>
        part.activeSlots(address, fromSlot)[Symbol.iterator](),
      );
      const heads = iterators.map((iterator) => iterator.next());
      for (;;) {
        let best = -1;
        heads.forEach((head, i) => {
          if (head.done) return;
          const bestHead = heads[best];
          if (best < 0 || (bestHead && head.value > bestHead.value)) best = i;
        });
        if (best < 0) return;
        const slot = heads[best]?.value as number;
        yield slot;
        heads.forEach((head, i) => {
          if (!head.done && head.value === slot) {
            heads[i] = (iterators[i] as Iterator<number>).next();
          }
        });
      }
    },
    slotSignatures(address, slot) {
      return parts
        .flatMap((part) => part.slotSignatures(address, slot))
        .sort((a, b) => b.transactionIndex - a.transactionIndex);
    },
    locate,
    transaction(signature) {
      for (const part of parts) {
        if (part.locate(signature)) return part.transaction(signature);
      }
      return null;
    },
    accounts(program) {
      return parts.flatMap((part) => part.accounts(program));
    },
  };
}
