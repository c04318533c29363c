import { after, test } from 'node:test';

import { sourceChecks } from '@backfill/plugin-kit/conformance';

import plugin from '../index.js';
import { startWeatherApi } from './fake-api.js';

const api = await startWeatherApi();
after(() => api.close());

const checks = sourceChecks({
  source: plugin.sources[0],
  // Two stations over six hours, two a page: six batches.
  params: { api_url: api.url, stations: ['KSEA', 'KPDX'], page_size: 2 },
  chunk: {
    id: 'six-hours',
    range: {
      kind: 'time',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T06:00:00.000Z',
    },
  },
  failures: [
    {
      name: 'an API answering 500',
      params: { api_url: `${api.url}/broken`, stations: ['KSEA'] },
      errorClass: 'retriable',
      code: 'WEATHER_SERVER_ERROR',
    },
    {
      name: 'an API refusing us (403)',
      params: { api_url: `${api.url}/denied`, stations: ['KSEA'] },
      errorClass: 'fatal',
      code: 'WEATHER_HTTP_STATUS',
    },
  ],
});
for (const check of checks) test(check.name, check.run);
