import type { JsonSchema } from '@backfill/plugin-kit';

/** A network name and the public RPC endpoint it stands for. */
export type NetworkName = 'mainnet' | 'mainnet-beta' | 'devnet' | 'testnet';

/** One `memcmp` filter of getProgramAccounts: bytes (base58) at offset. */
export interface MemcmpFilter {
  offset: number;
  bytes: string;
}

/** The `with:` block of the chain source (the older `chain_params`). */
export interface ChainParams {
  programs: string[];
  network?: NetworkName;
  rpc_url?: string;
  commitment?: 'finalized' | 'confirmed';
  start_block?: number;
  end_block?: number;
  mode?: 'transactions' | 'accounts';
  include_failed?: boolean;
  requests_per_second?: number;
  batch_rpc?: boolean;
  data_size?: number;
  memcmp?: MemcmpFilter[];
}

/** JSON Schema (2020-12) of ChainParams; closed, so typos are errors. */
export const paramsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://backfill.dev/schemas/source-chain.params.json',
  title: 'chain source parameters',
  type: 'object',
  additionalProperties: false,
  required: ['programs'],
  properties: {
    programs: {
      description: 'Program aliases (marginfi, leverage, ...) or addresses',
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
    },
    network: {
      description: 'Public cluster, used when no rpc_url is given',
      enum: ['mainnet', 'mainnet-beta', 'devnet', 'testnet'],
      default: 'mainnet',
    },
    rpc_url: {
      description: 'JSON-RPC endpoint; overrides SOLANA_RPC_URL and network',
      type: 'string',
      pattern: '^https?://',
    },
    commitment: { enum: ['finalized', 'confirmed'], default: 'finalized' },
    start_block: {
      description: 'First slot of the window (inclusive)',
      type: 'integer',
      minimum: 0,
    },
    end_block: {
      description: 'Last slot of the window (inclusive)',
      type: 'integer',
      minimum: 0,
    },
    mode: {
      description: 'transactions: program history; accounts: a snapshot',
      enum: ['transactions', 'accounts'],
      default: 'transactions',
    },
    include_failed: {
      description: 'Keep failed transactions (with their err)',
      type: 'boolean',
      default: true,
    },
    requests_per_second: {
      description: 'Sustained requests per second to the endpoint',
      type: 'number',
      exclusiveMinimum: 0,
    },
    batch_rpc: {
      description: 'Send JSON-RPC batches (many providers refuse them)',
      type: 'boolean',
      default: false,
    },
    data_size: {
      description: 'accounts mode: only accounts of this data length',
      type: 'integer',
      minimum: 0,
    },
    memcmp: {
      description: 'accounts mode: only accounts with these bytes',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['offset', 'bytes'],
        properties: {
          offset: { type: 'integer', minimum: 0 },
          bytes: { type: 'string', minLength: 1 },
        },
      },
    },
  },
};
