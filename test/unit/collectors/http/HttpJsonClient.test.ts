import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { HttpJsonClient } from '../../../../src/collectors/http/index.js';
import { UpstreamError } from '../../../../src/errors/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error('expected a failure');
}

const pending: ServerResponse[] = [];
const authSeen: Array<string | undefined> = [];
let main: { server: Server; url: string };
let other: { server: Server; url: string };

beforeAll(async () => {
  other = await listen((req, res) => {
    authSeen.push(req.headers.authorization);
    if (req.url === '/bounce') {
      res.writeHead(307, { location: `${main.url}/bounce` });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ leader: true, path: req.url }));
  });
  main = await listen((req, res) => {
    const url = req.url ?? '/';
    authSeen.push(req.headers.authorization);
    if (url === '/ok') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('\uFEFF{"a":[1,2,3],"b":{"c":"d"}}');
    } else if (url === '/html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Please wait while Jenkins is getting ready</h1></body></html>');
    } else if (url === '/truncated') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"items":[{"id":1,"why":"Waiting');
    } else if (url === '/empty') {
      res.writeHead(200);
      res.end();
    } else if (url === '/no-leader') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('No leader elected');
    } else if (url === '/big-declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5000) });
      res.end('[' + '1,'.repeat(2499) + '1]'.slice(0, 1));
    } else if (url === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      // 64 KiB chunks, far beyond the 4 KiB cap; the client must stop reading early
      const chunk = ' '.repeat(65536);
      let sent = 0;
      const pump = (): void => {
        while (sent < 100 && res.write(chunk)) sent++;
        if (sent < 100) res.once('drain', pump);
        else res.end('[]');
      };
      pump();
    } else if (url === '/hang') {
      pending.push(res);
    } else if (url === '/slow-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
      pending.push(res);
    } else if (url === '/to-other') {
      // Mesos answers 307 with a protocol-relative Location to the leader
      res.writeHead(307, { location: `//${new URL(other.url).host}/master/state` });
      res.end();
    } else if (url === '/bounce') {
      res.writeHead(307, { location: `${other.url}/bounce` });
      res.end();
    } else if (url.startsWith('/chain/')) {
      const n = Number(url.slice('/chain/'.length));
      res.writeHead(302, { location: `/chain/${n + 1}` });
      res.end();
    } else if (url === '/self') {
      res.writeHead(301, { location: '/self' });
      res.end();
    } else if (url === '/no-location') {
      res.writeHead(307);
      res.end();
    } else if (url === '/auth') {
      const expected = 'Basic ' + Buffer.from('bob:s3cret-token').toString('base64');
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'text/html' });
        res.end('<html>Unauthorized</html>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"who":"bob"}');
    } else if (url === '/auth-then-other') {
      res.writeHead(302, { location: `${other.url}/x` });
      res.end();
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
});

afterAll(async () => {
  for (const r of pending) r.destroy();
  await close(main.server);
  await close(other.server);
});

const client = (extra: Partial<ConstructorParameters<typeof HttpJsonClient>[0]> = {}) =>
  new HttpJsonClient({ timeoutMs: 2000, maxResponseBytes: 4096, ...extra });

describe('HttpJsonClient', () => {
  it('GETs and parses JSON (BOM tolerated), reports status, final URL and size', async () => {
    const c = client();
    const r = await c.getJson(`${main.url}/ok`);
    expect(r.body).toEqual({ a: [1, 2, 3], b: { c: 'd' } });
    expect(r.status).toBe(200);
    expect(r.url).toBe(`${main.url}/ok`);
    expect(r.redirects).toEqual([]);
    await c.shutdown();
  });

  it('HTML page with status 200 → RS_ERR_PARSE_JSON naming it', async () => {
    const e = await failure(client().getJson(`${main.url}/html`));
    expect(e.code).toBe('RS_ERR_PARSE_JSON');
    expect(e.message).toMatch(/HTML/);
    expect(e.meta.url).toBe(`${main.url}/html`);
    expect(e.cause).toBeInstanceOf(SyntaxError);
  });

  it('truncated JSON and an empty body → RS_ERR_PARSE_JSON', async () => {
    expect((await failure(client().getJson(`${main.url}/truncated`))).code).toBe('RS_ERR_PARSE_JSON');
    const empty = await failure(client().getJson(`${main.url}/empty`));
    expect(empty.code).toBe('RS_ERR_PARSE_JSON');
    expect(empty.message).toMatch(/empty body/);
  });

  it('503 from a master with no leader → RS_ERR_HTTP_STATUS with the status in meta', async () => {
    const e = await failure(client().getJson(`${main.url}/no-leader`));
    expect(e.code).toBe('RS_ERR_HTTP_STATUS');
    expect(e.meta.status).toBe(503);
    expect(e.message).toMatch(/No leader elected/);
    expect((await failure(client().getJson(`${main.url}/missing`))).meta.status).toBe(404);
  });

  it('over the size cap → RS_ERR_HTTP_TOO_LARGE, by Content-Length or while streaming', async () => {
    const declared = await failure(client().getJson(`${main.url}/big-declared`));
    expect(declared.code).toBe('RS_ERR_HTTP_TOO_LARGE');
    expect(declared.meta.bytes).toBe(5000);
    const chunked = await failure(client().getJson(`${main.url}/big-chunked`));
    expect(chunked.code).toBe('RS_ERR_HTTP_TOO_LARGE');
    expect(chunked.meta.cap).toBe(4096);
  });

  it('no answer, or a body that stops half-way, within the deadline → RS_ERR_HTTP_TIMEOUT', async () => {
    const c = client({ timeoutMs: 150 });
    const hang = await failure(c.getJson(`${main.url}/hang`));
    expect(hang.code).toBe('RS_ERR_HTTP_TIMEOUT');
    expect(hang.meta.timeoutMs).toBe(150);
    expect((await failure(c.getJson(`${main.url}/slow-body`))).code).toBe('RS_ERR_HTTP_TIMEOUT');
  });

  it("the caller's abort signal → RS_ERR_COLLECT_TIMEOUT", async () => {
    const ac = new AbortController();
    const p = client({ timeoutMs: 10_000 }).getJson(`${main.url}/hang`, ac.signal);
    ac.abort(new Error('round over'));
    expect((await failure(p)).code).toBe('RS_ERR_COLLECT_TIMEOUT');
    const already = new AbortController();
    already.abort();
    expect((await failure(client().getJson(`${main.url}/ok`, already.signal))).code).toBe('RS_ERR_COLLECT_TIMEOUT');
  });

  it('connection refused and DNS failure → RS_ERR_HTTP_CONNECT', async () => {
    const dead = await listen(() => undefined);
    await close(dead.server);
    const refused = await failure(client().getJson(`${dead.url}/x`));
    expect(refused.code).toBe('RS_ERR_HTTP_CONNECT');
    expect(refused.meta.errno).toBe('ECONNREFUSED');
    const dns = await failure(client().getJson('http://no-such-host.invalid/x'));
    expect(dns.code).toBe('RS_ERR_HTTP_CONNECT');
    expect((await failure(client().getJson('ftp://x/'))).code).toBe('RS_ERR_HTTP_CONNECT');
    expect((await failure(client().getJson('not a url'))).code).toBe('RS_ERR_HTTP_CONNECT');
  });

  it('307 to the leader (protocol-relative Location): followed, final URL tells who answered', async () => {
    const r = await client().getJson<{ leader: boolean; path: string }>(`${main.url}/to-other`);
    expect(r.body).toEqual({ leader: true, path: '/master/state' });
    expect(r.url).toBe(`${other.url}/master/state`);
    expect(r.redirects).toEqual([`${other.url}/master/state`]);
  });

  it('redirect loop between two fake masters → RS_ERR_HTTP_REDIRECT_LOOP', async () => {
    const e = await failure(client().getJson(`${main.url}/bounce`));
    expect(e.code).toBe('RS_ERR_HTTP_REDIRECT_LOOP');
    expect(e.meta.redirects).toEqual([`${other.url}/bounce`, `${main.url}/bounce`]);
    expect((await failure(client().getJson(`${main.url}/self`))).code).toBe('RS_ERR_HTTP_REDIRECT_LOOP');
  });

  it('too many distinct redirects → RS_ERR_HTTP_REDIRECT_LOOP; a redirect without Location → RS_ERR_HTTP_STATUS', async () => {
    const e = await failure(client({ maxRedirects: 3 }).getJson(`${main.url}/chain/0`));
    expect(e.code).toBe('RS_ERR_HTTP_REDIRECT_LOOP');
    expect(e.meta.redirects).toHaveLength(4);
    const nl = await failure(client().getJson(`${main.url}/no-location`));
    expect(nl.code).toBe('RS_ERR_HTTP_STATUS');
    expect(nl.meta.status).toBe(307);
  });

  it('basic auth (user + API token): sent to the origin, never to another host; never in errors', async () => {
    const c = client({ auth: { username: 'bob', password: 's3cret-token' } });
    expect((await c.getJson(`${main.url}/auth`)).body).toEqual({ who: 'bob' });
    authSeen.length = 0;
    await c.getJson(`${main.url}/auth-then-other`);
    expect(authSeen).toEqual(['Basic ' + Buffer.from('bob:s3cret-token').toString('base64'), undefined]);
    const wrong = await failure(client({ auth: { username: 'bob', password: 'nope' } }).getJson(`${main.url}/auth`));
    expect(wrong.code).toBe('RS_ERR_HTTP_STATUS');
    expect(wrong.meta.status).toBe(401);
  });

  it('credentials in the URL become the Authorization header and are redacted from every error', async () => {
    const withCreds = main.url.replace('http://', 'http://bob:s3cret-token@');
    expect((await client().getJson(`${withCreds}/auth`)).body).toEqual({ who: 'bob' });
    for (const path of ['/html', '/no-leader', '/bounce', '/big-declared']) {
      const e = await failure(client().getJson(`${withCreds}${path}?token=abc`));
      const text = `${e.message} ${JSON.stringify(e.meta)}`;
      expect(text).not.toContain('s3cret-token');
      expect(text).not.toContain('token=abc');
    }
    const dead = await failure(client().getJson('http://bob:s3cret-token@127.0.0.1:1/x'));
    expect(`${dead.message} ${JSON.stringify(dead.meta)}`).not.toContain('s3cret');
  });

  it('after shutdown: RS_ERR_LIFECYCLE_SHUTDOWN; shutdown is idempotent', async () => {
    const c = client();
    await c.shutdown();
    await c.shutdown();
    expect((await failure(c.getJson(`${main.url}/ok`))).code).toBe('RS_ERR_LIFECYCLE_SHUTDOWN');
  });

  it('rejects nonsense options and unreadable CA files at construction', () => {
    expect(() => new HttpJsonClient({ timeoutMs: 0, maxResponseBytes: 10 })).toThrow(/timeoutMs/);
    expect(() => new HttpJsonClient({ timeoutMs: 10, maxResponseBytes: 10, tls: { caFile: '/nonexistent/ca.pem' } })).toThrow(/caFile/);
  });
});

describe('HttpJsonClient over TLS', () => {
  it('trusts a server signed by the configured CA file, and refuses it without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"tls":true}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      try {
        expect((await client({ tls: { caFile: join(dir, 'cert.pem') } }).getJson(url)).body).toEqual({ tls: true });
        const untrusted = await failure(client().getJson(url));
        expect(untrusted.code).toBe('RS_ERR_HTTP_CONNECT');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
