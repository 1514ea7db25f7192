import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeBuild, type FinishedBuildInfo } from '../../../src/analysis/builds/index.js';
import type { ContainerDoc } from '../../../src/model/index.js';
import { ElasticsearchSink, installTemplates } from '../../../src/store/index.js';
import { searchBuildUsage } from '../../../src/store/queries/index.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';

/**
 * The build usage search on the real (stripped integ-test-zip) Elasticsearch, with container
 * readings written by hand so every expected figure can be computed by hand: it proves the
 * aggregations run there (no scripts) and select the right readings.
 */

const client = testEsClient();
const prefix = uniquePrefix('buildusage');
const MiB = 1024 * 1024;
// Over a UTC midnight, so two daily indices are searched.
const START = Date.UTC(2026, 10, 21, 23, 59, 30);
const NODE = 'mesos-jenkins-aaaa-linux-2c';
const OTHER_NODE = 'mesos-jenkins-bbbb-linux-2c';

function reading(over: {
  t: number;
  container: string;
  dataset?: 'docker.container' | 'mesos.executor';
  job?: string;
  build?: number;
  node?: string;
  task?: string;
  cores?: number;
  ws?: number;
  peak?: number;
  throttledMs?: number;
}): ContainerDoc {
  const cpu =
    over.cores === undefined
      ? undefined
      : { cores: over.cores, interval_ms: 10_000, core_seconds: over.cores * 10, limit_cores: 2.1, ...(over.throttledMs !== undefined ? { throttled: { periods: 1, time_ms: over.throttledMs } } : {}) };
  return {
    '@timestamp': new Date(START + over.t).toISOString(),
    event: { dataset: over.dataset ?? 'docker.container' },
    service: { address: over.dataset === 'mesos.executor' ? 'http://agent:5051' : 'unix:///docker.sock' },
    container: { id: over.container },
    ...(over.task !== undefined ? { mesos: { task: { id: over.task } } } : {}),
    ...(over.job !== undefined || over.node !== undefined
      ? {
          jenkins: {
            ...(over.node !== undefined ? { node: { name: over.node } } : {}),
            ...(over.job !== undefined ? { job: { name: over.job } } : {}),
            ...(over.build !== undefined ? { build: { number: over.build } } : {}),
          },
        }
      : {}),
    ...(cpu ? { cpu } : {}),
    memory: { working_set_bytes: over.ws ?? 100 * MiB, limit_bytes: 2080 * MiB, ...(over.peak !== undefined ? { peak_bytes: over.peak } : {}) },
  };
}

const build: FinishedBuildInfo = { jobName: 'api-tests', number: 3, result: 'SUCCESS', builtOn: NODE, startMs: START, durationMs: 60_000, endMs: START + 60_000 };

beforeAll(async () => {
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const docs: ContainerDoc[] = [];
  const own = { container: 'c-own', job: 'api-tests', build: 3, node: NODE, task: NODE };
  // Docker readings of the build: first reading without CPU, then 6 × 10 s.
  docs.push(reading({ ...own, t: 1_000, ws: 50 * MiB }));
  const cores = [0.4, 0.5, 0.5, 0.5, 0.6, 0.5];
  cores.forEach((c, i) => docs.push(reading({ ...own, t: 11_000 + i * 10_000, cores: c, ws: (150 + 10 * i) * MiB, throttledMs: 100, ...(i === 2 ? { peak: 205 * MiB } : {}) })));
  // The same container read by the Mesos agent (node only, no build number): less covered.
  for (let i = 0; i < 3; i++) docs.push(reading({ dataset: 'mesos.executor', container: 'mesos-c-own', task: NODE, t: 20_000 + i * 10_000, cores: 0.9, ws: 190 * MiB }));
  // Not this build: same job, another build number; another node; outside the window.
  docs.push(reading({ container: 'c-4', job: 'api-tests', build: 4, node: OTHER_NODE, task: OTHER_NODE, t: 30_000, cores: 1.9 }));
  docs.push(reading({ container: 'c-x', task: OTHER_NODE, t: 30_000, cores: 1.9 }));
  docs.push(reading({ ...own, t: 60_000 + 15_000, cores: 1.9 }));
  const sink = new ElasticsearchSink({ client, prefix, bulk: { flushBytes: 1_000_000, flushIntervalMs: 100, concurrency: 1, retries: 1, retryBackoffMs: 100, bufferMaxDocs: 1000 } });
  sink.write(docs.map((doc) => ({ kind: 'container', doc })));
  await sink.forceFlush(30_000);
  await sink.shutdown();
  expect(sink.stats().indexed).toBe(docs.length);
  await client.indices.refresh({ index: `${prefix}-containers-*` });
});

afterAll(async () => {
  await dropPrefix(client, prefix);
  await client.close();
});

describe('searchBuildUsage on the real Elasticsearch', () => {
  it('aggregates exactly the build’s readings, per dataset, across two daily indices', async () => {
    const usage = await searchBuildUsage(client, { prefix, jobName: 'api-tests', buildNumber: 3, nodeName: NODE, startMs: START, endMs: START + 60_000, afterEndMs: 10_000 });
    const docker = usage.datasets.find((d) => d.dataset === 'docker.container')!;
    expect(docker).toMatchObject({ samples: 7, cpuSamples: 6, coreSecondsSamples: 6, intervalMsSum: 60_000, throttledMsSum: 600, peakMaxBytes: 205 * MiB, memoryLimitMaxBytes: 2080 * MiB });
    expect(docker.coreSecondsSum).toBeCloseTo(30, 9); // (0.4 + 0.5·4 + 0.6) × 10 s
    expect(docker.coresMax).toBe(0.6);
    expect(docker.coresAvg).toBeCloseTo(0.5, 9);
    expect(docker.coresP50).toBeCloseTo(0.5, 9);
    expect(docker.workingSetMaxBytes).toBe(200 * MiB);
    // (50 + 150 + 160 + … + 200) MiB / 7
    expect(docker.workingSetAvgBytes).toBeCloseTo(((50 + 150 + 160 + 170 + 180 + 190 + 200) / 7) * MiB, 0);
    expect(docker.containers.map((c) => c.key)).toEqual(['c-own']);
    const mesos = usage.datasets.find((d) => d.dataset === 'mesos.executor')!;
    expect(mesos).toMatchObject({ samples: 3, intervalMsSum: 30_000 });
    expect(usage.nodeBuilds.map((b) => b.key)).toEqual(['api-tests#3']);

    const doc = summarizeBuild({ build, usage, request: { cpus: 2, memBytes: 2048.2 * MiB }, pollIntervalMs: 10_000 });
    expect(doc.usage).toMatchObject({ sample_count: 7, coverage: 1, shared_agent: false, memory: { peak_bytes: 205 * MiB } });
    expect(doc.usage?.cpu?.avg_cores).toBeCloseTo(0.5, 9);
    expect(doc.usage?.cpu?.throttled_ratio).toBeCloseTo(0.01, 9);
    expect(doc.waste?.cpu_core_seconds).toBeCloseTo(2 * 60 - 30, 6);
  });

  it('sees another build on the same node at the same time (shared agent)', async () => {
    // Build 5 of another job ran in the same node's container during build 3.
    const sink = new ElasticsearchSink({ client, prefix, bulk: { flushBytes: 1_000_000, flushIntervalMs: 100, concurrency: 1, retries: 1, retryBackoffMs: 100, bufferMaxDocs: 1000 } });
    for (let i = 0; i < 3; i++) sink.write([{ kind: 'container', doc: reading({ container: 'c-5', job: 'lint', build: 5, node: NODE, t: 20_000 + i * 10_000, cores: 0.2 }) }]);
    await sink.forceFlush(30_000);
    await sink.shutdown();
    await client.indices.refresh({ index: `${prefix}-containers-*` });
    const usage = await searchBuildUsage(client, { prefix, jobName: 'api-tests', buildNumber: 3, nodeName: NODE, startMs: START, endMs: START + 60_000, afterEndMs: 10_000 });
    expect(usage.nodeBuilds.map((b) => b.key).sort()).toEqual(['api-tests#3', 'lint#5']);
    expect(summarizeBuild({ build, usage, pollIntervalMs: 10_000 }).usage?.shared_agent).toBe(true);
  });

  it('a build with no readings (and no index that day) is an empty result, not an error', async () => {
    const usage = await searchBuildUsage(client, { prefix, jobName: 'nothing', buildNumber: 1, startMs: Date.UTC(2026, 0, 1), endMs: Date.UTC(2026, 0, 1, 0, 1), afterEndMs: 10_000 });
    expect(usage).toEqual({ datasets: [], nodeBuilds: [] });
  });
});
