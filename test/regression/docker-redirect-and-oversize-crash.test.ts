/**
 * Issue 14 item 3: list, inspect, `/info` and `/events` went through dockerode, which follows
 * redirects and buffers any size: a `307 Location: file:///etc/passwd` crashed the process with a
 * TypeError, a 307 to a host that resets crashed it with an unhandled `error`, a 307 to a live
 * host made `--once` never exit, and a 560 MB list crashed it with `ERR_STRING_TOO_LONG`. Now an
 * engine call follows no redirect and stops reading at its byte cap: each is a coded error of the
 * round, no request ever leaves for the redirect target, and nothing crashes.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { collectorFromEndpoint } from '../../src/collectors/docker/index.js';
import { send, settlesWithin, startHostileServer } from './support/hostileServer.js';

const never = new AbortController().signal;

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** What a round against an engine that answers every call with `answer` threw (or undefined). */
async function roundError(port: number): Promise<unknown> {
  const collector = collectorFromEndpoint(`tcp://127.0.0.1:${port}`, { timeoutMs: 1500 });
  try {
    return await settlesWithin(
      collector.collect(never).then(
        () => undefined,
        (err: unknown) => err,
      ),
      10_000,
      'collect',
    );
  } finally {
    await collector.shutdown();
  }
}

describe('a Docker engine that redirects', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  const redirecting = async (location: string) => {
    const s = await startHostileServer((socket, _line, counter) => {
      send(socket, counter, `HTTP/1.1 307 Temporary Redirect\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`);
      socket.end();
    });
    cleanup.push(() => s.close());
    return s;
  };

  it('307 Location: file:///etc/passwd → RS_ERR_DOCKER_API "not followed", no crash', async () => {
    const s = await redirecting('file:///etc/passwd');
    const err = await roundError(s.port);
    expect(err).toMatchObject({ code: 'RS_ERR_DOCKER_API', message: expect.stringContaining('not followed') });
  });

  it('307 to a host that resets every connection → RS_ERR_DOCKER_API, and the resetting host is never contacted', async () => {
    let contacted = 0;
    const resetter = createNetServer((socket) => {
      contacted++;
      socket.resetAndDestroy();
    });
    const resetPort = await listen(resetter);
    cleanup.push(() => new Promise<void>((r) => resetter.close(() => r())));
    const s = await redirecting(`http://127.0.0.1:${resetPort}/containers/json`);
    const err = await roundError(s.port);
    expect(err).toMatchObject({ code: 'RS_ERR_DOCKER_API', message: expect.stringContaining('not followed') });
    expect(contacted).toBe(0);
  });

  it('307 to a live host → RS_ERR_DOCKER_API, the live host gets no request, and the round ends', async () => {
    let requests = 0;
    const live = createHttpServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('['); // and never ends
    });
    const livePort = await listen(live);
    cleanup.push(async () => {
      live.closeAllConnections();
      await new Promise<void>((r) => live.close(() => r()));
    });
    const s = await redirecting(`http://127.0.0.1:${livePort}/containers/json`);
    const err = await roundError(s.port);
    expect(err).toMatchObject({ code: 'RS_ERR_DOCKER_API', message: expect.stringContaining('not followed') });
    expect(requests).toBe(0);
  });
});

describe('a Docker engine that sends an endless list', () => {
  it('stops reading at the cap: RS_ERR_HTTP_TOO_LARGE, far less than 560 MB read, no crash', async () => {
    const chunk = Buffer.from(`{"Id":"${'a'.repeat(64)}","Names":["/x"],"State":"running"},`.repeat(1024)); // ~90 KiB
    const total = 560 * 1024 * 1024;
    const s = await startHostileServer((socket, _line, counter) => {
      send(socket, counter, 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const pump = (): void => {
        while (counter.sent < total && !socket.destroyed) {
          const ok = send(socket, counter, Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
          if (!ok) {
            socket.once('drain', pump);
            return;
          }
        }
        if (!socket.destroyed) socket.end('0\r\n\r\n');
      };
      send(socket, counter, '5\r\n[    \r\n');
      pump();
    });
    try {
      const err = await roundError(s.port);
      expect(err).toMatchObject({ code: 'RS_ERR_HTTP_TOO_LARGE' });
      // the client hung up near its 32 MiB cap (socket buffers add a little)
      expect(s.bytesSent()).toBeLessThan(128 * 1024 * 1024);
    } finally {
      await s.close();
    }
  }, 60_000);
});
