import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import { createEsClient } from '../../src/store/client.js';

// The demo's `collect` stopped 28 ms after it started, with no signal received (3 of 4 fresh demo
// runs, 2026-12-08): @elastic/transport's UndiciConnection implements a per-request
// `requestTimeout` by dispatching a synthetic `abort` event on the caller's signal, and the caller's
// signal was collect's stop signal (passed to the template installation). Every listener of it
// fired. The project's client (createEsClient) hands the transport a signal of its own.

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** An HTTP server that accepts requests and never answers. */
async function silentServer(): Promise<string> {
  const server: Server = createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function watched(): { controller: AbortController; fired: () => number } {
  const controller = new AbortController();
  let fired = 0;
  controller.signal.addEventListener('abort', () => fired++);
  return { controller, fired: () => fired };
}

describe('regression: a per-request timeout of Elasticsearch fires the caller\'s abort listeners', () => {
  it('the transport itself does it (the upstream behaviour this works around)', async () => {
    const client = new Client({ node: await silentServer(), requestTimeout: 30_000, maxRetries: 0 });
    closers.push(() => client.close());
    const { controller, fired } = watched();
    await expect(client.info(undefined, { signal: controller.signal, requestTimeout: 100 })).rejects.toThrow();
    expect(fired()).toBe(1);
    expect(controller.signal.aborted).toBe(false);
  });

  it("the project's client keeps the timeout to itself: the request fails, the caller's signal stays quiet", async () => {
    const client = createEsClient({ url: await silentServer(), requestTimeoutMs: 30_000 });
    closers.push(() => client.close());
    const { controller, fired } = watched();
    await expect(client.info(undefined, { signal: controller.signal, requestTimeout: 100, maxRetries: 0 })).rejects.toThrow();
    expect(fired()).toBe(0);
    expect(controller.signal.aborted).toBe(false);
  });

  it("aborting the caller's signal still aborts the request", async () => {
    const client = createEsClient({ url: await silentServer(), requestTimeoutMs: 30_000 });
    closers.push(() => client.close());
    const controller = new AbortController();
    const started = Date.now();
    const request = client.info(undefined, { signal: controller.signal, maxRetries: 0 });
    setTimeout(() => controller.abort(), 50);
    await expect(request).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
