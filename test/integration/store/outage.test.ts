import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/model/index.js';
import { ElasticsearchSink, createEsClient, deleteTemplates, idFor, indexFor, installTemplates } from '../../../src/store/index.js';
import { testEsUrl } from '../../support/env.js';
import { containerSample } from '../../unit/store/fixtures.js';

/**
 * A TCP proxy in front of the real Elasticsearch that can be taken away (connections refused)
 * or made to lose responses (the request reaches Elasticsearch, which indexes; the answer is
 * thrown away and the client's connection cut). No second Elasticsearch is needed.
 */
class FaultProxy {
  mode: 'up' | 'lose-responses' = 'up';
  lost = 0;
  private _server: Server | undefined;
  private readonly _sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly _target: URL) {}

  async start(port = 0): Promise<void> {
    const server = createServer((client) => {
      this._sockets.add(client);
      const upstream = connect(Number(this._target.port), this._target.hostname);
      this._sockets.add(upstream);
      const cleanup = (): void => {
        client.destroy();
        upstream.destroy();
        this._sockets.delete(client);
        this._sockets.delete(upstream);
      };
      client.on('error', cleanup).on('close', cleanup);
      upstream.on('error', cleanup).on('close', cleanup);
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        if (this.mode === 'lose-responses') {
          this.lost += 1;
          cleanup();
          return;
        }
        client.write(chunk);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this._server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops listening and cuts every connection: new connections are refused. */
  async stop(): Promise<void> {
    const server = this._server;
    this._server = undefined;
    for (const s of this._sockets) s.destroy();
    this._sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function until(cond: () => boolean, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const prefix = `rs-test-${randomBytes(4).toString('hex')}`;
const direct: Client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 30_000 });
const proxy = new FaultProxy(new URL(testEsUrl()));
let viaProxy: Client;

function batch(tag: string, n: number): Sample[] {
  const t0 = Date.UTC(2026, 10, 22, 0, 0);
  return Array.from({ length: n }, (_, i) => containerSample(`${tag}-${i % 40}`, new Date(t0 + Math.floor(i / 40) * 10_000).toISOString()));
}

async function countIds(samples: readonly Sample[]): Promise<{ total: number; matching: number }> {
  const index = indexFor(samples[0]!, prefix);
  await direct.indices.refresh({ index });
  const total = (await direct.count({ index })).count;
  const matching = (await direct.count({ index, query: { ids: { values: samples.map(idFor) } } })).count;
  return { total, matching };
}

function newSink(): ElasticsearchSink {
  return new ElasticsearchSink({
    client: viaProxy,
    prefix,
    bulk: { flushBytes: 20_000, flushIntervalMs: 50, concurrency: 2, retries: 3, retryBackoffMs: 50, bufferMaxDocs: 50_000 },
    maxBackoffMs: 500,
    shutdownTimeoutMs: 30_000,
  });
}

beforeAll(async () => {
  await installTemplates(direct, { prefix, shards: 1, replicas: 0 });
  await proxy.start();
  viaProxy = createEsClient({ url: `http://127.0.0.1:${proxy.port}`, requestTimeoutMs: 10_000 });
});

afterAll(async () => {
  await proxy.stop();
  await viaProxy.close();
  const rows = await direct.cat.indices({ index: `${prefix}-*`, format: 'json', h: 'index' });
  const names = rows.map((r) => r.index!);
  if (names.length > 0) await direct.indices.delete({ index: names });
  await deleteTemplates(direct, prefix);
  await direct.close();
});

describe('bulk sink through faults, real Elasticsearch behind a proxy', () => {
  it('stores each document once when Elasticsearch indexes but the responses are lost', async () => {
    const sink = newSink();
    const input = batch('lost', 2000);
    proxy.mode = 'lose-responses';
    sink.write(input);
    await until(() => proxy.lost >= 3 && sink.stats().failedRequests >= 3, 'three lost responses');
    proxy.mode = 'up';
    await sink.forceFlush(60_000);
    await sink.shutdown();
    const s = sink.stats();
    expect(s).toMatchObject({ received: 2000, indexed: 2000, dropped: 0, buffered: 0 });
    expect(s.alreadyPresent).toBeGreaterThan(0);
    expect(await countIds(input)).toEqual({ total: 2000, matching: 2000 });
  });

  it('buffers while Elasticsearch is unreachable and indexes everything exactly once afterwards', async () => {
    const sink = newSink();
    const input = batch('down', 3000);
    const port = proxy.port;
    await proxy.stop();
    for (let i = 0; i < input.length; i += 300) sink.write(input.slice(i, i + 300));
    await until(() => sink.stats().failedRequests >= 3, 'three refused attempts');
    expect(sink.stats()).toMatchObject({ indexed: 0, dropped: 0, buffered: 3000 });
    await proxy.start(port);
    await until(() => sink.stats().indexed === 3000, 'indexed after the outage');
    await sink.shutdown();
    expect(sink.stats()).toMatchObject({ dropped: 0, buffered: 0 });
    const counted = await countIds(input);
    // the index also holds the 2000 documents of the previous test (same day)
    expect(counted.matching).toBe(3000);
    expect(counted.total).toBe(5000);
  });
});
