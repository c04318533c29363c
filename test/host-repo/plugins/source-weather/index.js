import { definePlugin, PLUGIN_API_VERSION } from '@backfill/plugin-kit';

import { statusError, unreachable } from './errors.js';
import { schema } from './schema.js';

/**
 * Hourly observations of weather stations over the chunk's time range,
 * one station after another, a page at a time. The cursor is the station
 * and the page token to ask for next, so a crash resumes at that page.
 */
const weatherSource = {
  name: 'weather',
  description: 'Hourly observations of weather stations',
  schema,
  capabilities: { resumable: true, splittable: true, ranges: ['time'] },

  async *fetch(ctx) {
    const { api_url: apiUrl, stations, page_size: pageSize = 100 } = ctx.params;
    const { from, to } = ctx.chunk.range;
    const limiter = ctx.limiter(new URL(apiUrl).origin);
    let { station = 0, page = null } = ctx.cursor ?? {};

    while (station < stations.length) {
      const url = new URL(`${apiUrl}/observations`);
      url.search = new URLSearchParams({
        station: stations[station],
        from,
        to,
        limit: String(pageSize),
        ...(page ? { page } : {}),
      }).toString();
      const body = await limiter.schedule(() => getPage(url, ctx), ctx.signal);

      const records = body.observations.map((o) => ({
        key: `${o.station}:${o.observed_at}`,
        value: o,
      }));
      page = body.next_page ?? null;
      if (page === null) station += 1;
      yield {
        records,
        cursor: { station, page },
        progress: station / stations.length,
      };
    }
  },
};

async function getPage(url, ctx) {
  let response;
  try {
    response = await fetch(url, { signal: ctx.signal });
  } catch (error) {
    ctx.countRequest('error');
    // An abort is the run stopping: hand it back as it is.
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw unreachable(error);
  }
  ctx.countRequest(`${String(response.status)[0]}xx`);
  if (!response.ok) throw statusError(response);
  return response.json();
}

export default definePlugin({
  name: 'backfill-source-weather',
  apiVersion: PLUGIN_API_VERSION,
  sources: [weatherSource],
});
