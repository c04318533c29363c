import { createServer } from 'node:http';

const HOUR = 3_600_000;

/**
 * A loopback weather API for tests: one observation an hour per station
 * from 2026-01-01, paged with an offset token. Under `/broken` every
 * request answers 500; under `/denied`, 403.
 */
export async function startWeatherApi() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/broken')) return send(500, {});
    if (url.pathname.startsWith('/denied')) return send(403, {});
    if (url.pathname !== '/observations') return send(404, {});

    const q = url.searchParams;
    const from = Date.parse(q.get('from'));
    const to = Date.parse(q.get('to'));
    const limit = Number(q.get('limit'));
    const offset = Number(q.get('page') ?? 0);
    const all = [];
    for (let t = Math.ceil(from / HOUR) * HOUR; t < to; t += HOUR) {
      all.push(observation(q.get('station'), t));
    }
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? String(offset + limit) : null;
    send(200, { observations: page, next_page: next });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The same station and hour always give the same reading. */
export function observation(station, time) {
  const hour = new Date(time).getUTCHours();
  return {
    station,
    observed_at: new Date(time).toISOString(),
    temperature_c: Math.round(10 * Math.sin(hour / 4)) + 5,
    wind_kph: (hour * 7) % 40,
  };
}
