import { sourceChecks } from '@backfill/plugin-kit/conformance';
import plugin, { type OffchainParams } from '@backfill/source-offchain';
import { afterAll, beforeAll, describe, it } from 'vitest';

import {
  type HttpApiServer,
  startHttpApiServer,
} from '../servers/http-api/index.ts';
import { closedPortUrl } from './closed-port.ts';

let api: HttpApiServer;
let nowhere: string;
beforeAll(async () => {
  api = await startHttpApiServer({ records: 25, pageSize: 10 });
  nowhere = await closedPortUrl('/cursor');
});
afterAll(() => api.close());

describe('the off-chain source passes the conformance suite', () => {
  const checks = sourceChecks<OffchainParams>({
    source: plugin.sources[0]!,
    get params() {
      return { api_endpoint: `${api.url}/cursor` };
    },
    get failures() {
      return [
        {
          name: 'an endpoint answering 400',
          params: { api_endpoint: `${api.url}/echo-400` },
          errorClass: 'fatal' as const,
          code: 'OFFCHAIN_HTTP_STATUS',
        },
        {
          name: 'an endpoint nobody listens on',
          params: { api_endpoint: nowhere, retry: { attempts: 1 } },
          errorClass: 'retriable' as const,
          code: 'OFFCHAIN_CONNECTION',
        },
      ];
    },
  });
  for (const check of checks) it(check.name, check.run);
});
