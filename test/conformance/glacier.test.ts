import { sourceChecks } from '@backfill/plugin-kit/conformance';
import glacierPlugin, { type GlacierParams } from '@backfill/source-glacier';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { useEndpoint } from '../glacier/context.ts';
import {
  type GlacierServer,
  startGlacierServer,
} from '../servers/glacier/index.ts';

const VAULT = 'margin-offers-archive';

/** JSON lines of `count` margin offers. */
function offers(count: number): Buffer {
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ id: `offer-${i}`, market: 'SOL-USDC', rate_bps: 500 + i }),
  );
  return Buffer.from(`${lines.join('\n')}\n`);
}

let server: GlacierServer;
let archiveId: string;
beforeAll(async () => {
  server = await startGlacierServer();
  useEndpoint(server.url);
  server.createVault(VAULT);
  archiveId = server.addArchive({ vault: VAULT, body: offers(9) });
});
afterAll(() => server.close());

const params = (vault: string, archive: string): GlacierParams => ({
  vault_name: vault,
  archive_id: archive,
  retrieval: true,
  tier: 'Expedited',
  poll_interval: '10ms',
  chunk_size: 1,
});

describe('the glacier source passes the conformance suite', () => {
  const checks = sourceChecks<GlacierParams>({
    source: glacierPlugin.sources[0]!,
    chunk: {
      id: 'archive',
      range: {
        kind: 'time',
        from: '2020-01-01T00:00:00.000Z',
        to: '2030-01-01T00:00:00.000Z',
      },
    },
    get params() {
      return params(VAULT, archiveId);
    },
    get failures() {
      return [
        {
          name: 'a vault that does not exist',
          params: params('no-such-vault', archiveId),
          errorClass: 'fatal' as const,
          code: 'GLACIER_NOT_FOUND',
        },
      ];
    },
  });
  for (const check of checks) it(check.name, check.run);
});
