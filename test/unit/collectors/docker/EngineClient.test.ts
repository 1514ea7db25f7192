/** The one Docker engine HTTP client: deadlines, byte caps, no redirects, a cut body never pending; unix socket and tcp. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineCallError, EngineClient } from '../../../../src/collectors/docker/index.js';

const never = new AbortController().signal;

describe('EngineClient', () => {
  const cleanup: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, socketPath?: string): Promise<{ server: Server; port: number }> {
    const server = createServer(handler);
    await new Promise<void>((resolve) => (socketPath !== undefined ? server.listen(socketPath, () => resolve()) : server.listen(0, '127.0.0.1', () => resolve())));
    cleanup.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });
    return { server, port: socketPath !== undefined ? 0 : (server.address() as AddressInfo).port };
  }

  function client(port: number, timeoutMs = 1000): EngineClient {
    const c = new EngineClient({ kind: 'tcp', protocol: 'http', host: '127.0.0.1', port }, { timeoutMs, maxSockets: 4 });
    cleanup.push(() => c.close());
    return c;
  }

  async function failure(p: Promise<unknown>): Promise<EngineCallError> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineCallError);
    return err as EngineCallError;
  }

  it('GETs over a unix socket and over tcp, with the path and query as given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-engine-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const seen: string[] = [];
    const sock = join(dir, 'docker.sock');
    await serve((req, res) => {
      seen.push(req.url ?? '');
      res.end('{"Name":"unix"}');
    }, sock);
    const c = new EngineClient({ kind: 'unix', socketPath: sock }, { timeoutMs: 1000, maxSockets: 2 });
    cleanup.push(() => c.close());
    expect(await c.getText('/info?x=1', never, 1000)).toBe('{"Name":"unix"}');
    expect(seen).toEqual(['/info?x=1']);
    const { port } = await serve((_req, res) => res.end('[]'));
    expect(await client(port).getText('/containers/json', never, 1000)).toBe('[]');
  });

  it('a non-2xx answer fails with its status and the engine’s message; 404 is not_found', async () => {
    const { port } = await serve((req, res) => {
      res.writeHead(req.url === '/missing' ? 404 : 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: req.url === '/missing' ? 'No such container: x' : 'boom' }));
    });
    const c = client(port);
    expect(await failure(c.getText('/missing', never, 1000))).toMatchObject({ kind: 'not_found', status: 404, code: 'RS_ERR_DOCKER_API', message: '(HTTP code 404) No such container: x' });
    expect(await failure(c.getText('/other', never, 1000))).toMatchObject({ kind: 'status', status: 500, message: '(HTTP code 500) boom' });
  });

  it('a huge error answer is read only up to 64 KiB for its message', async () => {
    const { port } = await serve((_req, res) => {
      res.writeHead(500);
      const chunk = 'x'.repeat(1024 * 1024);
      for (let i = 0; i < 8; i++) res.write(chunk);
      res.end();
    });
    const err = await failure(client(port).getText('/x', never, 1000));
    expect(err).toMatchObject({ kind: 'status', status: 500 });
    expect(err.message.length).toBeLessThan(400);
  });

  it('a redirect is never followed', async () => {
    let followed = 0;
    const { port: target } = await serve((_req, res) => {
      followed++;
      res.end('[]');
    });
    const { port } = await serve((_req, res) => {
      res.writeHead(301, { location: `http://user:pw@127.0.0.1:${target}/containers/json` });
      res.end();
    });
    const err = await failure(client(port).getText('/containers/json', never, 1000));
    expect(err).toMatchObject({ kind: 'redirect', status: 301, code: 'RS_ERR_DOCKER_API' });
    expect(err.message).not.toContain('pw');
    expect(followed).toBe(0);
  });

  it('the byte cap: by Content-Length before reading, and while streaming', async () => {
    const { port } = await serve((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': '5000' });
        res.end('x'.repeat(5000));
        return;
      }
      res.write('x'.repeat(3000)); // chunked: no length declared
      res.end('x'.repeat(3000));
    });
    const c = client(port);
    expect(await failure(c.getText('/declared', never, 4096))).toMatchObject({ kind: 'too_large', code: 'RS_ERR_HTTP_TOO_LARGE', message: expect.stringContaining('declares 5000') });
    expect(await failure(c.getText('/chunked', never, 4096))).toMatchObject({ kind: 'too_large', code: 'RS_ERR_HTTP_TOO_LARGE', message: expect.stringContaining('exceeds') });
    expect(await c.getText('/chunked', never, 6000)).toHaveLength(6000);
  });

  it('the deadline covers headers and body: an engine that stalls gives RS_ERR_HTTP_TIMEOUT, the caller’s abort gives aborted', async () => {
    const { port } = await serve((req, res) => {
      if (req.url === '/body') res.write('[{'); // headers sent, body never ends
    });
    const c = client(port, 200);
    const t0 = Date.now();
    expect(await failure(c.getText('/headers', never, 1000))).toMatchObject({ kind: 'timeout', code: 'RS_ERR_HTTP_TIMEOUT' });
    expect(await failure(c.getText('/body', never, 1000))).toMatchObject({ kind: 'timeout', code: 'RS_ERR_HTTP_TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(3000);
    const ac = new AbortController();
    const pending = c.getText('/headers', ac.signal, 1000);
    ac.abort();
    expect(await failure(pending)).toMatchObject({ kind: 'aborted' });
    const done = new AbortController();
    done.abort();
    expect(await failure(c.getText('/headers', done.signal, 1000))).toMatchObject({ kind: 'aborted' });
  });

  it('a refused connection is kind connection with its errno', async () => {
    const { server, port } = await serve((_req, res) => res.end());
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    expect(await failure(client(port).getText('/info', never, 1000))).toMatchObject({ kind: 'connection', errno: 'ECONNREFUSED', code: 'RS_ERR_DOCKER_API' });
  });
});
