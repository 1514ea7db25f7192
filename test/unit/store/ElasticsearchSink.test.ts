import { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/model/index.js';
import { ElasticsearchSink, idFor, type BulkOptions } from '../../../src/store/index.js';
import { containerSample } from './fixtures.js';
import { FakeEs, freePort, memoryLogger, until } from './fakeEs.js';

const bulk: BulkOptions = { flushBytes: 4096, flushIntervalMs: 20, concurrency: 2, retries: 3, retryBackoffMs: 10, bufferMaxDocs: 10_000 };

function samples(n: number, from = 0): Sample[] {
  const out: Sample[] = [];
  for (let i = from; i < from + n; i++) out.push(containerSample(`c${i}`, new Date(Date.UTC(2026, 10, 22, 3, 0, 0, i)).toISOString()));
  return out;
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(opts: { fake?: FakeEs; port?: number; bulk?: Partial<BulkOptions> } = {}) {
  const fake = opts.fake ?? new FakeEs();
  const port = opts.port ?? (await fake.listen(0));
  const client = new Client({ node: `http://127.0.0.1:${port}`, requestTimeout: 2000 });
  const { logger, lines } = memoryLogger();
  const sink = new ElasticsearchSink({ client, prefix: 'rs', bulk: { ...bulk, ...opts.bulk }, logger, maxBackoffMs: 100, random: () => 0.5, logIntervalMs: 0, shutdownTimeoutMs: 1000 });
  cleanup.push(() => client.close(), () => fake.close(), () => sink.shutdown());
  return { fake, port, client, sink, lines };
}

describe('ElasticsearchSink against an in-process _bulk server', () => {
  it('indexes every document once, in batches no larger than flushBytes, with bounded concurrency', async () => {
    const { fake, sink } = await setup({ fake: new FakeEs({ delayMs: 5 }) });
    const input = samples(500);
    sink.write(input);
    await sink.forceFlush(10_000);
    expect(fake.docs.size).toBe(500);
    for (const s of input) expect(fake.attempts.get(`rs-containers-2026.11.22/${idFor(s)}`)).toBe(1);
    expect(sink.stats()).toMatchObject({ received: 500, indexed: 500, dropped: 0, buffered: 0, failedRequests: 0, alreadyPresent: 0 });
    // each body is one batch: at most flushBytes plus one document over (a batch holds at least one doc).
    expect(Math.max(...fake.requestBodies)).toBeLessThanOrEqual(4096);
    expect(fake.requests).toBeGreaterThan(1);
    expect(fake.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('sends a small batch after flushIntervalMs without forceFlush', async () => {
    const { fake, sink } = await setup();
    sink.write(samples(3));
    // the server stores before it answers: wait for the sink's count, which follows the answer
    await until(() => sink.stats().indexed === 3, 'interval flush');
    expect(fake.docs.size).toBe(3);
    expect(fake.requests).toBe(1);
  });

  it('retries items answered 429 and indexes them exactly once', async () => {
    const fake = new FakeEs({ item: ({ seenBefore }) => (seenBefore === 0 ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } : undefined) });
    const { sink } = await setup({ fake });
    sink.write(samples(50));
    await sink.forceFlush(10_000);
    await until(() => sink.stats().indexed === 50, 'all indexed after 429s');
    expect(fake.docs.size).toBe(50);
    expect([...fake.attempts.values()].every((n) => n === 2)).toBe(true);
    expect(sink.stats()).toMatchObject({ indexed: 50, dropped: 0, alreadyPresent: 0, retriedDocs: 50 });
  });

  it('indexes exactly once when the server indexes and then drops the connection', async () => {
    const fake = new FakeEs({ afterIndex: (n) => (n === 1 ? 'drop' : 'answer') });
    const { sink } = await setup({ fake, bulk: { flushBytes: 1_000_000 } });
    sink.write(samples(40));
    await until(() => sink.stats().indexed === 40, 'indexed after lost response');
    expect(fake.docs.size).toBe(40);
    // The first request stored all 40; its answer was lost; the resend got 409 for each.
    expect(sink.stats()).toMatchObject({ indexed: 40, alreadyPresent: 40, dropped: 0, failedRequests: 1, buffered: 0 });
  });

  it('keeps documents while the server is down and indexes each once when it comes up', async () => {
    const port = await freePort();
    const fake = new FakeEs();
    const { sink, lines } = await setup({ fake, port });
    sink.write(samples(120));
    await until(() => sink.stats().failedRequests >= 3, 'three failed attempts');
    sink.write(samples(30, 120));
    expect(sink.stats()).toMatchObject({ indexed: 0, dropped: 0, buffered: 150 });
    // Nobody listening: the connection is refused, which is "unreachable", not a 5xx.
    expect(lines.some((l) => l['code'] === 'RS_ERR_STORE_UNREACHABLE')).toBe(true);
    await fake.listen(port);
    await until(() => sink.stats().indexed === 150, 'indexed after the outage', 15_000);
    expect(fake.docs.size).toBe(150);
    expect([...fake.attempts.values()].every((n) => n === 1)).toBe(true);
    expect(sink.stats()).toMatchObject({ dropped: 0, buffered: 0, consecutiveFailures: 0 });
  });

  it('drops exactly the oldest overflow while the server is down, counted and logged', async () => {
    const port = await freePort();
    const fake = new FakeEs();
    const { sink, lines } = await setup({ fake, port, bulk: { bufferMaxDocs: 100, concurrency: 1 } });
    const input = samples(250);
    sink.write(input.slice(0, 60));
    await until(() => sink.stats().failedRequests >= 1, 'first failure');
    sink.write(input.slice(60));
    await until(() => sink.stats().inFlight === 0 && sink.stats().failedRequests >= 2, 'quiet buffer');
    expect(sink.stats()).toMatchObject({ received: 250, dropped: 150, buffered: 100, indexed: 0 });
    const full = lines.filter((l) => l['code'] === 'RS_ERR_STORE_BUFFER_FULL');
    expect(full.reduce((a, l) => a + (l['count'] as number), 0)).toBe(150);
    await fake.listen(port);
    await until(() => sink.stats().indexed === 100, 'survivors indexed', 15_000);
    const kept = new Set([...fake.docs.keys()].map((k) => k.split('/')[1]));
    expect(kept).toEqual(new Set(input.slice(150).map(idFor)));
  });

  it('drops permanent rejections with their reason, and 5xx items after `retries` attempts', async () => {
    const fake = new FakeEs({
      item: ({ doc }) => {
        const id = (doc['container'] as { id: string }).id;
        if (id === 'c1') return { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [cpu.cores]' } };
        if (id === 'c2') return { status: 503, error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' } };
        return undefined;
      },
    });
    const { sink, lines } = await setup({ fake, bulk: { retries: 2 } });
    sink.write(samples(5));
    await until(() => sink.stats().indexed + sink.stats().dropped === 5, 'all settled');
    expect(sink.stats()).toMatchObject({ indexed: 3, dropped: 2, buffered: 0 });
    expect(fake.attempts.get(`rs-containers-2026.11.22/${idFor(samples(1, 1)[0]!)}`)).toBe(1);
    // 1 first try + 2 retries for the 503 item.
    expect(fake.attempts.get(`rs-containers-2026.11.22/${idFor(samples(1, 2)[0]!)}`)).toBe(3);
    const rejected = lines.filter((l) => l['code'] === 'RS_ERR_STORE_REJECTED');
    const text = JSON.stringify(rejected);
    expect(text).toContain('document_parsing_exception: failed to parse field [cpu.cores]');
    expect(text).toContain('unavailable_shards_exception');
  });

  it('counts and logs samples it cannot route instead of throwing', async () => {
    const { fake, sink, lines } = await setup();
    const bad = containerSample('x', 'not a time');
    expect(() => sink.write([bad, ...samples(2)])).not.toThrow();
    await sink.forceFlush(5000);
    expect(fake.docs.size).toBe(2);
    expect(sink.stats()).toMatchObject({ received: 3, indexed: 2, dropped: 1 });
    expect(lines.some((l) => l['code'] === 'RS_ERR_STORE_DOC_INVALID')).toBe(true);
  });

  it('shuts down idempotently; later writes are counted as dropped', async () => {
    const { fake, sink, lines } = await setup();
    sink.write(samples(10));
    const first = sink.shutdown();
    const second = sink.shutdown();
    await Promise.all([first, second]);
    expect(fake.docs.size).toBe(10);
    await sink.shutdown();
    expect(lines.filter((l) => l['msg'] === 'bulk sink shut down')).toHaveLength(1);
    expect(lines.filter((l) => String(l['msg']).includes('called again')).length).toBe(2);
    sink.write(samples(1, 10));
    expect(sink.stats()).toMatchObject({ received: 11, indexed: 10, dropped: 1 });
  });

  it('forceFlush resolves at its deadline when the server stays down', async () => {
    const port = await freePort();
    const { sink } = await setup({ port });
    sink.write(samples(5));
    const t0 = Date.now();
    await sink.forceFlush(300);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(sink.stats()).toMatchObject({ indexed: 0, buffered: 5, dropped: 0 });
  });

  it('sends nothing before `ready` resolves, buffering meanwhile; settledBeforeMs follows the oldest unsettled write', async () => {
    const fake = new FakeEs();
    const port = await fake.listen(0);
    const client = new Client({ node: `http://127.0.0.1:${port}`, requestTimeout: 2000 });
    let open!: () => void;
    const ready = new Promise<void>((r) => (open = r));
    let now = 1_000;
    const sink = new ElasticsearchSink({ client, prefix: 'rs', bulk, ready, clock: { nowMs: () => now } });
    cleanup.push(() => client.close(), () => fake.close(), () => sink.shutdown());
    expect(sink.settledBeforeMs()).toBe(1_000); // nothing written: now
    sink.write(samples(10));
    now = 5_000;
    sink.write(samples(5, 10));
    await new Promise((r) => setTimeout(r, 100)); // several flush intervals
    expect(fake.requests).toBe(0);
    expect(sink.stats()).toMatchObject({ buffered: 15, indexed: 0 });
    expect(sink.settledBeforeMs()).toBe(1_000);
    open();
    await until(() => sink.stats().indexed === 15, 'the buffer sent once ready');
    now = 9_000;
    expect(sink.settledBeforeMs()).toBe(9_000);
  });

  it('a sink never made ready drops its buffer at shutdown without waiting for a flush deadline', async () => {
    const fake = new FakeEs();
    const port = await fake.listen(0);
    const client = new Client({ node: `http://127.0.0.1:${port}` });
    const sink = new ElasticsearchSink({ client, prefix: 'rs', bulk, ready: Promise.reject(new Error('stopped')), shutdownTimeoutMs: 60_000 });
    cleanup.push(() => client.close(), () => fake.close());
    sink.write(samples(3));
    const t0 = Date.now();
    await sink.shutdown();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(fake.requests).toBe(0);
    expect(sink.stats()).toMatchObject({ dropped: 3, buffered: 0 });
  });
});
