import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpJsonClient } from '../../src/collectors/http/index.js';
import { JenkinsCollector } from '../../src/collectors/jenkins/index.js';
import { MesosAgentCollector } from '../../src/collectors/mesos/index.js';
import { UpstreamError } from '../../src/errors/index.js';
import { fakeServer, type FakeServer } from '../unit/collectors/http/fakeServer.js';

/**
 * Issue 14, "Also": when every request of a Jenkins or Mesos agent poll failed, the error read
 * "Jenkins at … did not answer" / "no Mesos agent answered usefully" whatever the cause, so a
 * 401 (a wrong token) looked like a dead host. The error now names the HTTP status (and carries
 * it in `meta.status`), and a refused connection says "connection refused", never "rejected".
 */
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function deny401(): Promise<FakeServer> {
  const s = await fakeServer();
  servers.push(s);
  for (const p of ['/queue/api/json', '/computer/api/json', '/api/json', '/state', '/state.json', '/monitor/statistics', '/monitor/statistics.json'])
    s.routes.set(p, (_req, res) => {
      res.writeHead(401, { 'content-type': 'text/html' });
      res.end('<html>Authentication required</html>');
    });
  return s;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv: Server = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const opts = { timeoutMs: 2000, maxResponseBytes: 1_000_000 };

/** What one failed collect threw, after shutting the collector down. */
async function failureOf(c: JenkinsCollector | MesosAgentCollector): Promise<UpstreamError> {
  const err = await c.collect(AbortSignal.timeout(5000)).catch((e: unknown) => e);
  await c.shutdown();
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('regression: collector failures name the HTTP status', () => {
  it('Jenkins answering 401 everywhere: the error says HTTP 401, not "did not answer"', async () => {
    const s = await deny401();
    const err = await failureOf(new JenkinsCollector({ ...opts, url: `${s.url}/` }));
    expect(err.code).toBe('RS_ERR_HTTP_STATUS');
    expect(err.meta.status).toBe(401);
    expect(err.message).toContain('HTTP 401');
    expect(err.message).not.toContain('did not answer');
  });

  it('a Mesos agent answering 401: the error says HTTP 401', async () => {
    const s = await deny401();
    const err = await failureOf(new MesosAgentCollector({ ...opts, agents: [s.url] }));
    expect(err.code).toBe('RS_ERR_HTTP_STATUS');
    expect(err.meta.status).toBe(401);
    expect(err.message).toContain('HTTP 401');
  });

  it('a refused connection reads "connection refused" in the client and in the collector errors', async () => {
    const port = await closedPort();
    const client = new HttpJsonClient(opts);
    const err = (await client.getJson(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e)) as UpstreamError;
    await client.shutdown();
    expect(err.code).toBe('RS_ERR_HTTP_CONNECT');
    expect(err.message).toMatch(/connection refused/);
    expect(err.message).not.toMatch(/reject/i);
    const jerr = await failureOf(new JenkinsCollector({ ...opts, url: `http://127.0.0.1:${port}/` }));
    expect(jerr.code).toBe('RS_ERR_HTTP_CONNECT');
    expect(jerr.message).toMatch(/connection refused/);
    expect(jerr.message).not.toMatch(/reject|did not answer/i);
  });
});
