/**
 * Issue 14 item 5: unauthenticated amplification on the list route. With 10,000
 * recommendations, 200 concurrent `GET /api/v1/recommendations?limit=10000` took 22 s and
 * 3.75 GB while a scheduler's job lookup waited 19.8 s; about 20,000 idle sockets locked everyone
 * out. And (issue 14, "Also"): bad percent-encoding and oversize headers were answered with
 * fastify's own body instead of `{error:{code,message}}`.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, MAX_PAGE, RecommendationCache } from '../../src/api/index.js';
import type { RecommendationDoc } from '../../src/model/index.js';
import { pollUntil } from '../support/poll.js';
import { openSocket } from '../support/sockets.js';

function rec(i: number): RecommendationDoc {
  return {
    '@timestamp': '2026-12-03T06:00:00.000Z',
    workload: { kind: 'jenkins.job', key: `folder/job-${i}` },
    jenkins: { job: { name: `folder/job-${i}` }, label: 'linux-2c' },
    current: { cpu_cores: 2, memory_bytes: 2 ** 31 },
    recommended: { cpu_cores: 0.5, memory_bytes: 2 ** 29 },
    basis: { builds: 20, window_days: 30 },
    confidence: 'high',
    reasons: ['over_provisioned'],
    savings: { cpu_core_hours_per_week: i % 97, memory_gib_hours_per_week: 1 },
    severity: 'warning',
  };
}
const DOCS = Array.from({ length: 10_000 }, (_, i) => rec(i));

let app: ReturnType<typeof buildApp> | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await app?.close();
  app = undefined;
});

async function loaded(limits?: Parameters<typeof buildApp>[0]['limits']) {
  const cache = new RecommendationCache({ load: () => Promise.resolve({ docs: DOCS, skipped: 0 }) });
  await cache.refresh();
  app = buildApp({ cache, staleAfterMs: 600_000, version: 'test', ...(limits ? { limits } : {}) });
  return app;
}



describe('regression: issue 14 item 5, amplification on the list route', () => {
  it('a page larger than the bound is refused with 400 naming `limit`; the largest page is bounded', async () => {
    const a = await loaded();
    const r = await a.inject({ url: '/api/v1/recommendations?limit=10000' });
    expect(r.statusCode).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'RS_ERR_API_BAD_REQUEST', message: expect.stringContaining('limit') } });
    const max = await a.inject({ url: `/api/v1/recommendations?limit=${MAX_PAGE}` });
    expect(max.statusCode).toBe(200);
    expect((JSON.parse(max.body) as { items: unknown[] }).items).toHaveLength(MAX_PAGE);
  });

  it('at the connection cap a new client is still answered: the oldest idle socket makes room; idle sockets are closed by the timeouts', async () => {
    // Node's maxConnections refused every NEW connection at the cap, so idle sockets locked the
    // schedulers out (issue 15 probe b): the cap now closes the oldest never-used socket instead.
    const a = await loaded({ maxConnections: 4, idleTimeoutMs: 300 });
    await a.listen({ host: '127.0.0.1', port: 0 });
    const port = (a.server.address() as { port: number }).port;
    const held = await Promise.all([0, 1, 2, 3].map(() => openSocket(port, sockets)));
    // The server counts a connection once it accepted it: wait until it has all four.
    await pollUntil('4 connections', 5_000, async () => ((await new Promise<number>((r) => a.server.getConnections((_e, n) => r(n)))) === 4 ? true : undefined), 20);
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/jobs/folder/job-1`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    // The lookup made room, and so did /metrics if it came on a connection of its own.
    expect(Number(/rightsize_api_connections_evicted_total\{state="unused"\} (\d+)\n/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toContain('rightsize_api_connections_refused_total 0\n');
    // The idle ones are closed by the server's idle timeout.
    await Promise.all(held.map((h) => h.closed));
  });
});

describe('regression: issue 14, framework errors keep the {error:{code,message}} shape', () => {
  it('bad percent-encoding in the path is a coded 400', async () => {
    const a = await loaded();
    const r = await a.inject({ url: '/api/v1/jobs/%E0%A4%A' });
    expect(r.statusCode).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'RS_ERR_API_BAD_REQUEST', message: expect.any(String) } });
  });

  it('oversize request headers get a coded 431 on the socket', async () => {
    const a = await loaded();
    await a.listen({ host: '127.0.0.1', port: 0 });
    const port = (a.server.address() as { port: number }).port;
    const { socket } = await openSocket(port, sockets);
    const answer = new Promise<string>((resolve) => {
      let buf = '';
      socket.on('data', (d: Buffer) => (buf += d.toString()));
      socket.on('close', () => resolve(buf));
    });
    socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(body)).toEqual({ error: { code: 'RS_ERR_API_BAD_REQUEST', message: expect.any(String) } });
  });
});
