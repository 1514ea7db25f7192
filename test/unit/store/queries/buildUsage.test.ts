import { describe, expect, it } from 'vitest';
import { buildUsageRequest, containerIndicesFor, parseBuildUsageAggs, type BuildUsageAggs } from '../../../../src/store/queries/index.js';

const T0 = Date.UTC(2026, 10, 21, 23, 59, 0);

describe('containerIndicesFor', () => {
  it('names each UTC day the window touches', () => {
    expect(containerIndicesFor('rs', T0, T0 + 120_000)).toEqual(['rs-containers-2026.11.21', 'rs-containers-2026.11.22']);
    expect(containerIndicesFor('rs', T0, T0 + 30_000)).toEqual(['rs-containers-2026.11.21']);
  });
  it('falls back to the pattern for very long or inverted windows', () => {
    expect(containerIndicesFor('rs', T0, T0 + 40 * 86_400_000)).toEqual(['rs-containers-*']);
    expect(containerIndicesFor('rs', T0, T0 - 1)).toEqual(['rs-containers-*']);
  });
});

describe('buildUsageRequest', () => {
  it('selects by job + build, or by node for readings without a build number, within [start, end + slack]', () => {
    const { index, body } = buildUsageRequest({ prefix: 'rs', jobName: 'a/b', buildNumber: 7, nodeName: 'mesos-jenkins-x-L', startMs: T0, endMs: T0 + 50_000, afterEndMs: 10_000 });
    expect(index).toEqual(['rs-containers-2026.11.21', 'rs-containers-2026.11.22']);
    expect(body['size']).toBe(0);
    const text = JSON.stringify(body);
    expect(text).toContain(JSON.stringify({ range: { '@timestamp': { gte: T0, lte: T0 + 60_000, format: 'epoch_millis' } } }));
    expect(text).toContain('{"term":{"jenkins.job.name":"a/b"}},{"term":{"jenkins.build.number":7}}');
    expect(text).toContain('{"term":{"mesos.task.id":"mesos-jenkins-x-L"}},{"term":{"jenkins.node.name":"mesos-jenkins-x-L"}}');
    expect(text).toContain('"must_not":[{"exists":{"field":"jenkins.build.number"}}]');
    expect(Object.keys(body['aggs'] as object)).toEqual(['datasets', 'node_builds']);
    // nothing that needs scripting
    expect(text).not.toMatch(/script|bucket_sort/);
  });
  it('without a node it selects by job + build only and asks no node aggregation', () => {
    const { body } = buildUsageRequest({ prefix: 'rs', jobName: 'j', buildNumber: 1, nodeName: '', startMs: T0, endMs: T0 + 1000, afterEndMs: 0 });
    expect(JSON.stringify(body)).not.toContain('mesos.task.id');
    expect(Object.keys(body['aggs'] as object)).toEqual(['datasets']);
  });
});

describe('parseBuildUsageAggs', () => {
  it('turns buckets into numbers and empty statistics into absent fields', () => {
    const aggs: BuildUsageAggs = {
      datasets: {
        buckets: [
          {
            key: 'docker.container',
            doc_count: 4,
            own: {
              doc_count: 4,
              cores: { count: 3, avg: 0.5, max: 0.6 },
              cores_pct: { values: [{ key: 50, value: 0.5 }, { key: 95, value: 0.59 }] },
              core_seconds: { value: 15 },
              core_seconds_n: { value: 3 },
              interval_ms: { value: 30_000 },
              throttled_ms: { value: 0 },
              throttled_n: { value: 0 },
              working_set: { count: 4, avg: 1000, max: 2000 },
              peak: { value: null },
              memory_limit: { value: 4096 },
              containers: { buckets: [{ key: 'c1', doc_count: 4, first: { value: T0 }, last: { value: T0 + 30_000 } }] },
            },
          },
          { key: 'mesos.executor', doc_count: 2, own: { doc_count: 0 } },
          {
            key: 'other',
            doc_count: 1,
            own: { doc_count: 1, cores: { count: 0, avg: null, max: null }, cores_pct: { values: [{ key: 50, value: null }] }, working_set: { count: 0, avg: null, max: null } },
          },
        ],
      },
      node_builds: { jobs: { buckets: [{ key: 'j', numbers: { buckets: [{ key: 3, doc_count: 2, first: { value: T0 }, last: { value: T0 + 5 } }] } }] } },
    };
    const r = parseBuildUsageAggs(aggs);
    expect(r.datasets).toEqual([
      {
        dataset: 'docker.container',
        samples: 4,
        cpuSamples: 3,
        coresAvg: 0.5,
        coresMax: 0.6,
        coresP50: 0.5,
        coresP95: 0.59,
        coreSecondsSum: 15,
        coreSecondsSamples: 3,
        intervalMsSum: 30_000,
        workingSetAvgBytes: 1000,
        workingSetMaxBytes: 2000,
        memoryLimitMaxBytes: 4096,
        containers: [{ key: 'c1', samples: 4, firstMs: T0, lastMs: T0 + 30_000 }],
      },
      { dataset: 'other', samples: 1, cpuSamples: 0, coreSecondsSum: 0, coreSecondsSamples: 0, intervalMsSum: 0, containers: [] },
    ]);
    expect(r.nodeBuilds).toEqual([{ key: 'j#3', samples: 2, firstMs: T0, lastMs: T0 + 5 }]);
  });
  it('exit documents: counted apart from the readings; a boolean max of 1 means OOM-killed', () => {
    const own = (doc_count: number, exits: number, oom: number | null) => ({ doc_count, exits: { value: exits }, oom_killed: { value: oom } });
    const r = parseBuildUsageAggs({
      datasets: {
        buckets: [
          { key: 'docker.container', doc_count: 5, own: own(5, 1, 1) },
          { key: 'mesos.executor', doc_count: 3, own: own(3, 0, null) },
          { key: 'x', doc_count: 2, own: own(2, 2, 0) },
        ],
      },
    });
    expect(r.datasets.map((d) => [d.dataset, d.samples, d.exits, d.oomKilled])).toEqual([
      ['docker.container', 4, 1, true],
      ['mesos.executor', 3, undefined, undefined],
      ['x', 0, 2, false],
    ]);
  });
  it('an answer without aggregations (no index yet) is an empty result', () => {
    expect(parseBuildUsageAggs(undefined)).toEqual({ datasets: [], nodeBuilds: [] });
  });
});
