import bs58 from 'bs58';

/**
 * Bytes of a base58 string (Bitcoin alphabet), or null when it holds a
 * character outside the alphabet. bs58 is light, so `check` can measure an
 * address without loading the Solana SDK.
 */
export function decodeBase58(text: string): Uint8Array | null {
  return bs58.decodeUnsafe(text) ?? null;
}

/** The base58 text of `bytes`. */
export function encodeBase58(bytes: Uint8Array): string {
  return bs58.encode(bytes);
}

/** True when `text` is base58 for exactly 32 bytes: a Solana address. */
export function isAddress(text: string): boolean {
  return decodeBase58(text)?.length === 32;
}
