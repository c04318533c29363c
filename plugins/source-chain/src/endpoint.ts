import type { NetworkName } from './params.ts';

/** The public RPC endpoint of each cluster. */
export const PUBLIC_ENDPOINTS: Readonly<Record<NetworkName, string>> = {
  mainnet: 'https://api.mainnet-beta.solana.com',
  'mainnet-beta': 'https://api.mainnet-beta.solana.com',
  devnet: 'https://api.devnet.solana.com',
  testnet: 'https://api.testnet.solana.com',
};

/**
 * The endpoint a run talks to: `rpc_url`, else SOLANA_RPC_URL (so that jobs
 * in the older format can be pointed anywhere), else the network's public
 * endpoint (mainnet by default).
 */
export function resolveEndpoint(
  params: { rpc_url?: string; network?: NetworkName },
  env: Record<string, string | undefined> = process.env,
): string {
  if (params.rpc_url) return params.rpc_url;
  const fromEnv = env.SOLANA_RPC_URL?.trim();
  if (fromEnv) return fromEnv;
  return PUBLIC_ENDPOINTS[params.network ?? 'mainnet'];
}

/**
 * The endpoint's origin (scheme, host, port): the key of its shared rate
 * limiter, and safe to log, since a path or query may hold an API key.
 */
export function endpointOrigin(url: string): string {
  return new URL(url).origin;
}

/**
 * True for a node on this machine (127.0.0.0/8, ::1, localhost): a test
 * validator or a replay, which no provider rate-limits.
 */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return (
    host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host)
  );
}
