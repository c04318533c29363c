import type { JsonSchema } from '@backfill/plugin-kit';

/** The `with:` block of `store: { use: postgres }`. */
export interface PostgresParams {
  /** Connection string, e.g. `${DATABASE_URL}`: it may hold a password. */
  url: string;
  /** The Postgres schema the tables live in; default `backfill`. */
  schema?: string;
  /** Connections in the pool; default 4. */
  pool_size?: number;
  /** How long to wait for a connection, ms; default 10000. */
  connect_timeout_ms?: number;
  /** TLS: true, or the options below; default: as the URL's sslmode says. */
  ssl?: boolean | PostgresSslParams;
}

export interface PostgresSslParams {
  /** Refuse a server certificate the CA does not sign; default true. */
  reject_unauthorized?: boolean;
  /** PEM file of the CA to trust, relative to the working folder. */
  ca_file?: string;
}

/** Where the tables go when `with: { schema }` does not say. */
export const DEFAULT_SCHEMA = 'backfill';
export const DEFAULT_POOL_SIZE = 4;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** A plain SQL identifier: what a schema or data table may be called. */
export const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';

export const paramsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      minLength: 1,
      description:
        'Connection string postgres://user:password@host:port/db; ' +
        'usually the DATABASE_URL variable',
    },
    schema: {
      type: 'string',
      pattern: IDENTIFIER,
      description: 'Postgres schema for the tables; default backfill',
    },
    pool_size: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      description: 'Connections in the pool; default 4',
    },
    connect_timeout_ms: {
      type: 'integer',
      minimum: 0,
      description: 'Wait for a connection, ms; 0 waits forever; default 10000',
    },
    ssl: {
      description: 'TLS: true, or { reject_unauthorized, ca_file }',
      oneOf: [
        { type: 'boolean' },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            reject_unauthorized: { type: 'boolean' },
            ca_file: { type: 'string', minLength: 1 },
          },
        },
      ],
    },
  },
};
