import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CollectorRunner } from '../../../src/scheduler/index.js';
import type { Collector } from '../../../src/model/index.js';
import { RightsizeError } from '../../../src/errors/index.js';
import type { CollectionResult, Sample } from '../../../src/model/index.js';
import { InMemorySampleSink } from '../../../src/store/InMemorySampleSink.js';
import { silentLogger } from '../../../src/util/logger.js';

function sample(id: string): Sample {
  return { kind: 'container', doc: { '@timestamp': new Date().toISOString(), event: { dataset: 'docker.container' }, container: { id } } };
}

/** A test double implementing the Collector interface. */
class FakeCollector implements Collector {
  calls: number[] = [];
  active = 0;
  maxActive = 0;
  shutdowns = 0;
  constructor(
    readonly target: string,
    private readonly behaviour: (call: number, signal: AbortSignal) => Promise<CollectionResult>,
  ) {}
  async collect(signal: AbortSignal): Promise<CollectionResult> {
    this.calls.push(Date.now());
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await this.behaviour(this.calls.length, signal);
    } finally {
      this.active--;
    }
  }
  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

const ok = (n = 1): Promise<CollectionResult> => Promise.resolve({ samples: Array.from({ length: n }, (_, i) => sample(`c${i}`)), errors: [] });

describe('CollectorRunner', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls each target at once and then every intervalMs, writing samples to the sink', async () => {
    const sink = new InMemorySampleSink();
    const c = new FakeCollector('a', () => ok(2));
    const runner = new CollectorRunner({ targets: [{ collector: c, intervalMs: 1000, timeoutMs: 500 }], sink, logger: silentLogger() });
    runner.start();
    await vi.advanceTimersByTimeAsync(3500);
    expect(c.calls).toEqual([0, 1000, 2000, 3000]);
    expect(sink.samples).toHaveLength(8);
    expect(runner.stats()[0]).toMatchObject({ polls: 4, documents: 8, failedPolls: 0 });
    await runner.shutdown();
  });

  it('never overlaps polls of one target: a slow poll times out and ticks are skipped until it settles', async () => {
    const sink = new InMemorySampleSink();
    // Ignores the abort signal and takes 2.5 s on its first call.
    const c = new FakeCollector('slow', (call) => (call === 1 ? new Promise((r) => setTimeout(() => r({ samples: [], errors: [] }), 2500)) : ok()));
    const runner = new CollectorRunner({ targets: [{ collector: c, intervalMs: 1000, timeoutMs: 800 }], sink, logger: silentLogger() });
    runner.start();
    await vi.advanceTimersByTimeAsync(4100);
    expect(c.maxActive).toBe(1);
    const s = runner.stats()[0]!;
    expect(s.failedPolls).toBe(1);
    expect(s.lastError).toMatch(/exceeded 800 ms/);
    expect(s.skippedTicks).toBeGreaterThanOrEqual(1);
    // after the slow call settled at 2.5 s, polling resumed
    expect(c.calls.filter((t) => t >= 2500).length).toBeGreaterThanOrEqual(1);
    await runner.shutdown();
  });

  it('abandons a call that never settles one interval after its timeout, and polls again', async () => {
    // Ignores its signal and never settles on the first call (a wedged upstream).
    const c = new FakeCollector('wedged', (call) => (call === 1 ? new Promise<CollectionResult>(() => undefined) : ok()));
    const runner = new CollectorRunner({ targets: [{ collector: c, intervalMs: 1000, timeoutMs: 800 }], sink: new InMemorySampleSink(), logger: silentLogger() });
    runner.start();
    await vi.advanceTimersByTimeAsync(5000);
    const s = runner.stats()[0]!;
    expect(s.failedPolls).toBe(1);
    expect(s.polls).toBeGreaterThanOrEqual(3);
    expect(c.calls.length).toBeGreaterThanOrEqual(3);
    await runner.shutdown();
  });

  it('aborts the signal on timeout', async () => {
    let aborted = false;
    const c = new FakeCollector('x', (_n, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); })));
    const runner = new CollectorRunner({ targets: [{ collector: c, intervalMs: 1000, timeoutMs: 300 }], sink: new InMemorySampleSink(), logger: silentLogger() });
    runner.start();
    await vi.advanceTimersByTimeAsync(350);
    expect(aborted).toBe(true);
    await runner.shutdown();
  });

  it('backs off exponentially per failing target, capped, and resets after a success', async () => {
    let fail = true;
    const c = new FakeCollector('dead', () => (fail ? Promise.reject(new RightsizeError('RS_ERR_HTTP_CONNECT', 'refused')) : ok()));
    const runner = new CollectorRunner({
      targets: [{ collector: c, intervalMs: 1000, timeoutMs: 500 }],
      sink: new InMemorySampleSink(),
      logger: silentLogger(),
      backoffMaxMs: 8000,
      random: () => 1, // the full step: no jitter
    });
    runner.start();
    await vi.advanceTimersByTimeAsync(0 + 2000 + 4000 + 8000 + 8000 + 10);
    // polls at 0, then +2 s, +4 s, +8 s, +8 s (capped)
    expect(c.calls).toEqual([0, 2000, 6000, 14000, 22000]);
    expect(runner.stats()[0]).toMatchObject({ failedPolls: 5, consecutiveFailures: 5, nextDelayMs: 8000 });
    fail = false;
    await vi.advanceTimersByTimeAsync(8000);
    expect(runner.stats()[0]).toMatchObject({ consecutiveFailures: 0, nextDelayMs: 1000 });
    await runner.shutdown();
  });

  it('keeps polling healthy targets while another one fails, and counts item errors and skips', async () => {
    const sink = new InMemorySampleSink();
    const dead = new FakeCollector('dead', () => Promise.reject(new Error('boom')));
    const good = new FakeCollector('good', () =>
      Promise.resolve({ samples: [sample('a')], errors: [{ target: 'good', code: 'RS_ERR_PARSE_JSON', message: 'bad' }], skipped: { first_reading: 2 } }),
    );
    const runner = new CollectorRunner({
      targets: [
        { collector: dead, intervalMs: 1000, timeoutMs: 500 },
        { collector: good, intervalMs: 1000, timeoutMs: 500 },
      ],
      sink,
      logger: silentLogger(),
    });
    runner.start();
    await vi.advanceTimersByTimeAsync(2500);
    expect(good.calls).toHaveLength(3);
    expect(runner.stats()[1]).toMatchObject({ documents: 3, itemErrors: 3, skipped: { first_reading: 6 } });
    expect(sink.samples).toHaveLength(3);
    await runner.shutdown();
  });

  it('shutdown is idempotent and closes collectors once', async () => {
    const c = new FakeCollector('a', () => ok());
    const runner = new CollectorRunner({ targets: [{ collector: c, intervalMs: 1000, timeoutMs: 500 }], sink: new InMemorySampleSink(), logger: silentLogger() });
    runner.start();
    await vi.advanceTimersByTimeAsync(10);
    await runner.shutdown();
    await runner.shutdown();
    expect(c.shutdowns).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(c.calls).toHaveLength(1);
  });

  it('rejects a timeout longer than the interval at construction', () => {
    const c = new FakeCollector('a', () => ok());
    expect(() => new CollectorRunner({ targets: [{ collector: c, intervalMs: 1000, timeoutMs: 2000 }], sink: new InMemorySampleSink(), logger: silentLogger() })).toThrow(/must not exceed/);
  });
});
