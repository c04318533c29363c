import bs58 from 'bs58';

// The node under test shares no code with the client: it encodes with the
// bs58 library directly, not through the chain source's helpers.

/** Bytes of a base58 string, or null when it is not base58. */
export function decodeBase58(text: string): Uint8Array | null {
  return bs58.decodeUnsafe(text) ?? null;
}

/** The base58 text of `bytes`. */
export function encodeBase58(bytes: Uint8Array): string {
  return bs58.encode(bytes);
}
