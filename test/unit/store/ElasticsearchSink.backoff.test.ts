import { errors, type Client } from '@elastic/elasticsearch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ElasticsearchSink } from '../../../src/store/index.js';
import { containerSample } from './fixtures.js';

/** A client double whose `bulk` fails with a connection error until told otherwise. */
function fakeClient() {
  const calls: number[] = [];
  const state = { up: false };
  const client = {
    bulk: (params: { operations: string[] }) => {
      calls.push(Date.now());
      if (!state.up) return Promise.reject(new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9'));
      return Promise.resolve({ errors: false, items: params.operations.map(() => ({ create: { status: 201 } })) });
    },
  } as unknown as Client;
  return { client, calls, state };
}

const diffs = (xs: number[]): number[] => xs.slice(1).map((x, i) => x - xs[i]!);

describe('ElasticsearchSink backoff (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function sinkWith(client: Client, random: () => number): ElasticsearchSink {
    return new ElasticsearchSink({
      client,
      prefix: 'rs',
      bulk: { flushBytes: 10, flushIntervalMs: 1_000_000, concurrency: 1, retries: 5, retryBackoffMs: 100, bufferMaxDocs: 1000 },
      maxBackoffMs: 1000,
      random,
    });
  }

  it('doubles the wait from retryBackoffMs per consecutive failure, capped, and resets after a success', async () => {
    const { client, calls, state } = fakeClient();
    const sink = sinkWith(client, () => 1);
    sink.write([containerSample('a', '2026-11-22T03:00:00Z')]);
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 800 + 1000 + 1000);
    expect(diffs(calls)).toEqual([100, 200, 400, 800, 1000, 1000]);
    // attempts at t = 0, 100, 300, 700, 1500, 2500, 3500: seven failures.
    expect(sink.stats()).toMatchObject({ failedRequests: 7, consecutiveFailures: 7, buffered: 1, indexed: 0 });

    state.up = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(sink.stats()).toMatchObject({ indexed: 1, buffered: 0, consecutiveFailures: 0 });

    state.up = false;
    calls.length = 0;
    sink.write([containerSample('b', '2026-11-22T03:00:01Z')]);
    await vi.advanceTimersByTimeAsync(100 + 200);
    expect(diffs(calls)).toEqual([100, 200]);
  });

  it('jitters each wait within [half, full] of the step', async () => {
    const { client, calls } = fakeClient();
    const sink = sinkWith(client, () => 0);
    sink.write([containerSample('a', '2026-11-22T03:00:00Z')]);
    await vi.advanceTimersByTimeAsync(50 + 100 + 200 + 400 + 500);
    expect(diffs(calls)).toEqual([50, 100, 200, 400, 500]);
  });

  it('never sends before the backoff has passed, however much is written meanwhile', async () => {
    const { client, calls } = fakeClient();
    const sink = sinkWith(client, () => 1);
    sink.write([containerSample('a', '2026-11-22T03:00:00Z')]);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    for (let i = 0; i < 20; i++) sink.write([containerSample(`x${i}`, '2026-11-22T03:00:00Z')]);
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });
});
