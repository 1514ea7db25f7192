import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDoc } from '../../../../src/model/index.js';
import { idFor, indexFor, installTemplates } from '../../../../src/store/index.js';
import { EsApiReads } from '../../../../src/store/queries/index.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../../support/es.js';

/**
 * GET /api/v1/cluster's measured use on the real Elasticsearch: two containers using 1.5 and
 * 0.5 cores (2 GiB together) sampled every 10 s for 10 minutes. Asked at a moment 20 s into a
 * 1-minute bucket, "now" must read 2 cores (the last complete bucket), not the 0.67 a sum over
 * the filling bucket divided by its whole width gives; the partial first and last buckets of the
 * series read 2 cores too.
 */
const client = testEsClient();
const prefix = uniquePrefix('api-reads');
const GiB = 1024 ** 3;
const POLL_MS = 10_000;
const INTERVAL_MS = 60_000;
const START_MS = Date.UTC(2026, 11, 7, 12, 0, 0);
// 20 s into a bucket, on a sample boundary (a sample stands for the 10 s before it: off a
// boundary a partial bucket reads up to one sample high or low).
const TO_MS = START_MS + 10 * INTERVAL_MS + 20_000;
const reads = new EsApiReads({ client, prefix });

beforeAll(async () => {
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const operations: unknown[] = [];
  for (let t = START_MS; t < TO_MS; t += POLL_MS)
    for (const [id, cores] of [['a', 1.5], ['b', 0.5]] as const) {
      const doc: ContainerDoc = {
        '@timestamp': new Date(t).toISOString(),
        event: { dataset: 'docker.container', module: 'docker' },
        service: { address: 'unix:///var/run/docker.sock' },
        container: { id },
        cpu: { cores, interval_ms: POLL_MS, core_seconds: (cores * POLL_MS) / 1000 },
        memory: { working_set_bytes: GiB },
      };
      const sample = { kind: 'container' as const, doc };
      operations.push({ create: { _index: indexFor(sample, prefix), _id: idFor(sample) } }, doc);
    }
  const bulk = await client.bulk({ operations, refresh: true });
  expect(bulk.errors).toBe(false);
});

afterAll(async () => {
  await dropPrefix(client, prefix);
  await client.close();
});

describe('EsApiReads.cluster: measured use', () => {
  it('"now" is the last complete bucket; every bucket is divided by its part inside the range', async () => {
    const fromMs = START_MS + 40_000;
    const body = await reads.cluster({ fromMs, toMs: TO_MS, intervalMs: INTERVAL_MS }, AbortSignal.timeout(20_000));
    expect(body.now['cpus_used']).toBeCloseTo(2, 6);
    expect(body.now['mem_used_bytes']).toBeCloseTo(2 * GiB, 0);
    const used = body.series.map((p) => [p.t, p['cpus_used']]);
    expect(used[0]).toEqual([START_MS, expect.closeTo(2, 6)]);
    expect(used.at(-1)).toEqual([START_MS + 10 * INTERVAL_MS, expect.closeTo(2, 6)]);
    expect(used).toHaveLength(11);
    for (const [, v] of used) expect(v).toBeCloseTo(2, 6);
  });
});
