/**
 * Issue 2's fault case: Elasticsearch stopped for 60 s while collecting, then restarted →
 * every sample taken meanwhile is indexed exactly once (count check by `_id`).
 * Runs on a private Elasticsearch (its own port) so the shared one is not disturbed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorFromEndpoint } from '../../../src/collectors/docker/index.js';
import { CollectorRunner } from '../../../src/scheduler/index.js';
import type { Sample } from '../../../src/model/index.js';
import { ElasticsearchSink, idFor, installTemplates } from '../../../src/store/index.js';
import type { SampleSink } from '../../../src/store/types.js';
import { silentLogger } from '../../../src/util/logger.js';
import { MIB, pollUntil, WorkloadContainers } from '../../support/docker.js';
import { testDockerHost } from '../../support/env.js';
import { dropPrefix, esScript, testEsClient, uniquePrefix } from '../../support/es.js';

const PORT = Number(process.env['RIGHTSIZE_TEST_FAULT_ES_PORT'] ?? 9251);
const OUTAGE_MS = 60_000;
const es = testEsClient(`http://127.0.0.1:${PORT}`);
const prefix = uniquePrefix('outage');
const containers = new WorkloadContainers(prefix);

/** Records the `_id` of every sample handed to the real sink, and when it was taken. */
class RecordingSink implements SampleSink {
  readonly ids: { id: string; atMs: number }[] = [];
  constructor(private readonly _inner: SampleSink) {}
  write(samples: readonly Sample[]): void {
    const now = Date.now();
    for (const s of samples) this.ids.push({ id: idFor(s), atMs: now });
    this._inner.write(samples);
  }
  forceFlush(timeoutMs?: number): Promise<void> {
    return this._inner.forceFlush(timeoutMs);
  }
  stats(): ReturnType<SampleSink['stats']> {
    return this._inner.stats();
  }
  shutdown(): Promise<void> {
    return this._inner.shutdown();
  }
}

describe('Elasticsearch outage while collecting', () => {
  beforeAll(async () => {
    await esScript('start', PORT);
    await installTemplates(es, { prefix, shards: 1, replicas: 0 });
  });

  afterAll(async () => {
    await containers.removeAll();
    await dropPrefix(es, prefix).catch(() => undefined);
    await es.close();
    await esScript('stop', PORT);
  });

  it('indexes every sample taken during a 60 s outage exactly once after Elasticsearch returns', async () => {
    for (const name of ['a', 'b', 'c']) {
      await containers.start({ name, args: ['--cpu', '0.05', '--mem', '8m', '--duration', '600s'], cpus: 0.5, memoryBytes: 64 * MIB });
    }
    const real = new ElasticsearchSink({
      client: es,
      prefix,
      bulk: { flushBytes: 1_000_000, flushIntervalMs: 200, concurrency: 1, retries: 5, retryBackoffMs: 200, bufferMaxDocs: 100_000 },
      maxBackoffMs: 2_000,
      requestTimeoutMs: 5_000,
    });
    const sink = new RecordingSink(real);
    let takenWhileDown: number | undefined;
    const runner = new CollectorRunner({
      targets: [{ collector: collectorFromEndpoint(testDockerHost(), { timeoutMs: 5_000 }), intervalMs: 2_000, timeoutMs: 2_000 }],
      sink,
      logger: silentLogger(),
    });
    runner.start();
    try {
      await pollUntil('first documents indexed', 60_000, () => Promise.resolve(real.stats().indexed >= 6 ? true : undefined)).catch((err: Error) => {
        throw new Error(`${err.message}; runner: ${JSON.stringify(runner.stats())}; sink: ${JSON.stringify(real.stats())}`);
      });

      const downAt = Date.now();
      await esScript('stop', PORT);
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      const upAt = Date.now();
      takenWhileDown = sink.ids.filter((s) => s.atMs >= downAt && s.atMs < upAt).length;
      expect(takenWhileDown).toBeGreaterThan(45); // 3 containers × ~30 polls
      expect(real.stats().buffered).toBeGreaterThan(0);
      await esScript('start', PORT);

      // Keep collecting a little after the return, then stop and drain.
      await pollUntil('buffer drained after the restart', 120_000, () => Promise.resolve(real.stats().buffered === 0 ? true : undefined));
      await new Promise((r) => setTimeout(r, 3_000));
    } finally {
      await runner.shutdown();
      await real.forceFlush(60_000);
      await real.shutdown();
    }

    const produced = new Set(sink.ids.map((s) => s.id));
    expect(produced.size).toBe(sink.ids.length); // _ids are unique per sample
    expect(real.stats().dropped).toBe(0);
    await es.indices.refresh({ index: `${prefix}-*` });
    const count = await es.count({ index: `${prefix}-containers-*` });
    expect(count.count).toBe(produced.size);
    // Every produced _id is present (checked in chunks with an ids query).
    const ids = [...produced];
    let found = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const res = await es.count({ index: `${prefix}-containers-*`, query: { ids: { values: chunk } } });
      found += res.count;
    }
    expect(found).toBe(produced.size);
    console.info(`outage test: ${produced.size} samples produced, ${takenWhileDown} while Elasticsearch was down, ${count.count} indexed, ${real.stats().alreadyPresent} already present on retry, 0 dropped`);
  });
});
