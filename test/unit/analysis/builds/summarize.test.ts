import { describe, expect, it } from 'vitest';
import { pickDataset, sharedAgent, summarizeBuild, type FinishedBuildInfo } from '../../../../src/analysis/builds/index.js';
import type { BuildUsageAggregation, DatasetUsage } from '../../../../src/store/queries/index.js';

const MiB = 1024 * 1024;
const START = Date.UTC(2026, 10, 22, 3, 0, 0);
const NODE = 'mesos-jenkins-0123456789abcdef0123456789abcdef-linux-2c';

const build: FinishedBuildInfo = {
  jenkinsUrl: 'http://jenkins:8080/',
  jobName: 'team-a/api-tests',
  number: 12,
  url: 'http://jenkins:8080/job/team-a/job/api-tests/12/',
  result: 'SUCCESS',
  builtOn: NODE,
  startMs: START,
  durationMs: 100_000,
  endMs: START + 100_000,
  queue: { waitMs: 4_200.4, buildableMs: 1_000 },
  label: 'linux-2c',
};

function dataset(over: Partial<DatasetUsage> = {}): DatasetUsage {
  return {
    dataset: 'docker.container',
    samples: 10,
    cpuSamples: 9,
    coresAvg: 0.48,
    coresMax: 0.61,
    coresP50: 0.5,
    coresP95: 0.6,
    coreSecondsSum: 45,
    coreSecondsSamples: 9,
    intervalMsSum: 90_000,
    throttledMsSum: 900,
    workingSetAvgBytes: 200 * MiB,
    workingSetMaxBytes: 210 * MiB,
    peakMaxBytes: 212 * MiB,
    memoryLimitMaxBytes: 2080 * MiB,
    containers: [{ key: 'c1', samples: 10, firstMs: START + 10_000, lastMs: START + 100_000 }],
    ...over,
  };
}

const usage = (datasets: DatasetUsage[], nodeBuilds: BuildUsageAggregation['nodeBuilds'] = []): BuildUsageAggregation => ({ datasets, nodeBuilds });
const request = { cpus: 2, memBytes: 2048 * MiB };

describe('summarizeBuild', () => {
  it('fills every field of the data model from the aggregation and the task request (worked example)', () => {
    const doc = summarizeBuild({ build, usage: usage([dataset()]), request, pollIntervalMs: 10_000 });
    expect(doc).toEqual({
      '@timestamp': '2026-11-22T03:01:40.000Z',
      jenkins: {
        url: 'http://jenkins:8080/',
        job: { name: 'team-a/api-tests' },
        build: { number: 12, url: 'http://jenkins:8080/job/team-a/job/api-tests/12/' },
        result: 'SUCCESS',
        label: 'linux-2c',
        node: { name: NODE },
      },
      build: { start: START, end: START + 100_000, duration_ms: 100_000 },
      queue: { wait_ms: 4200, buildable_ms: 1000 },
      request: { cpu_cores: 2, memory_bytes: 2048 * MiB },
      usage: {
        // 45 core-seconds over 90 s of readings
        cpu: { avg_cores: 0.5, p50_cores: 0.5, p95_cores: 0.6, max_cores: 0.61, core_seconds: 45, throttled_ratio: 0.01 },
        memory: { avg_bytes: 200 * MiB, peak_bytes: 212 * MiB },
        sample_count: 10,
        coverage: 0.9,
        shared_agent: false,
      },
      outcome: { oom_killed: false },
      // 2 cores × 100 s − 45 / 0.9 = 150; (2048 − 200) MiB × 100 s
      waste: { cpu_core_seconds: 150, memory_byte_seconds: 1848 * MiB * 100 },
    });
  });

  it('a build without readings gets its request and no usage figures (coverage 0), never zeros posing as measurements', () => {
    const doc = summarizeBuild({ build, usage: usage([]), request, pollIntervalMs: 10_000 });
    expect(doc.usage).toEqual({ sample_count: 0, coverage: 0, shared_agent: false });
    expect(doc.request).toEqual({ cpu_cores: 2, memory_bytes: 2048 * MiB });
    expect(doc.waste).toBeUndefined();
    expect(doc.outcome).toEqual({ oom_killed: false });
  });

  it('without a task request there is no request and no waste', () => {
    const doc = summarizeBuild({ build, usage: usage([dataset()]), pollIntervalMs: 10_000 });
    expect(doc.request).toBeUndefined();
    expect(doc.waste).toBeUndefined();
    expect(doc.usage?.cpu?.p95_cores).toBe(0.6);
  });

  it('waste never goes negative when a build uses more than it reserved', () => {
    const doc = summarizeBuild({
      build,
      usage: usage([dataset({ coreSecondsSum: 270, workingSetAvgBytes: 3000 * MiB })]),
      request,
      pollIntervalMs: 10_000,
    });
    expect(doc.waste).toEqual({ cpu_core_seconds: 0, memory_byte_seconds: 0 });
  });

  it('infers an OOM kill: a FAILURE whose peak reached 95 % of the limit', () => {
    const failed = { ...build, result: 'FAILURE' };
    const limit = 2080 * MiB;
    const at = (peak: number) => summarizeBuild({ build: failed, usage: usage([dataset({ peakMaxBytes: peak, workingSetMaxBytes: 100 * MiB })]), request, pollIntervalMs: 10_000 });
    expect(at(Math.ceil(0.95 * limit)).outcome).toEqual({ oom_killed: true });
    expect(at(Math.floor(0.94 * limit)).outcome).toEqual({ oom_killed: false });
    // Without readings the limit is the request, but there is no peak: unknown.
    expect(summarizeBuild({ build: failed, usage: usage([]), request, pollIntervalMs: 10_000 }).outcome).toBeUndefined();
    // A SUCCESS at the limit was not killed.
    expect(summarizeBuild({ build, usage: usage([dataset({ peakMaxBytes: limit })]), request, pollIntervalMs: 10_000 }).outcome).toEqual({ oom_killed: false });
  });

  it('an OOM kill the Docker engine reported (exit document) wins over the inference, whatever the result', () => {
    const at = (result: string, oomKilled: boolean, peak: number) =>
      summarizeBuild({ build: { ...build, result }, usage: usage([dataset({ dataset: 'mesos.executor', peakMaxBytes: peak }), dataset({ dataset: 'docker.container', samples: 0, exits: 1, oomKilled })]), request, pollIntervalMs: 10_000 }).outcome;
    // killed while the readings never came near the limit (the spike fell between two polls)
    expect(at('FAILURE', true, 100 * MiB)).toEqual({ oom_killed: true });
    // the OOM killer took a child process; the build went on and passed
    expect(at('SUCCESS', true, 100 * MiB)).toEqual({ oom_killed: true });
    // a failure at the limit the engine says was not an OOM kill
    expect(at('FAILURE', false, 2080 * MiB)).toEqual({ oom_killed: false });
  });

  it('readings without cpu.core_seconds (older documents): core-seconds ≈ mean cores × covered time', () => {
    const doc = summarizeBuild({ build, usage: usage([dataset({ coreSecondsSamples: 0, coreSecondsSum: 0, coresAvg: 0.4 })]), request, pollIntervalMs: 10_000 });
    expect(doc.usage?.cpu?.core_seconds).toBeCloseTo(36, 9); // 0.4 × 90 s
    expect(doc.usage?.cpu?.avg_cores).toBe(0.4);
  });

  it('coverage is capped at 1 and throttled_ratio is absent when no reading carried throttling', () => {
    const { throttledMsSum: _unused, ...noThrottle } = dataset({ intervalMsSum: 130_000, coreSecondsSum: 65 });
    const doc = summarizeBuild({ build, usage: usage([noThrottle]), request, pollIntervalMs: 10_000 });
    expect(doc.usage?.coverage).toBe(1);
    expect(doc.usage?.cpu?.throttled_ratio).toBeUndefined();
    expect(doc.usage?.cpu?.avg_cores).toBe(0.5);
  });

  it('a build on the built-in node ("") has no node name', () => {
    const doc = summarizeBuild({ build: { ...build, builtOn: '' }, usage: usage([]), pollIntervalMs: 10_000 });
    expect(doc.jenkins.node).toBeUndefined();
    const pipeline = summarizeBuild({ build: { ...build, builtOn: undefined, nodeName: 'n1' }, usage: usage([]), pollIntervalMs: 10_000 });
    expect(pipeline.jenkins.node).toEqual({ name: 'n1' });
  });
});

describe('pickDataset', () => {
  it('takes the dataset that covers most time, so one container read by Docker and Mesos is not counted twice', () => {
    const docker = dataset({ dataset: 'docker.container', intervalMsSum: 80_000 });
    const mesos = dataset({ dataset: 'mesos.executor', intervalMsSum: 90_000 });
    expect(pickDataset([docker, mesos])?.dataset).toBe('mesos.executor');
    expect(pickDataset([dataset({ dataset: 'mesos.executor' }), dataset({ dataset: 'docker.container' })])?.dataset).toBe('docker.container');
    expect(pickDataset([])).toBeUndefined();
  });
});

describe('sharedAgent', () => {
  const b = { jobName: 'j', number: 2, startMs: 0, endMs: 100_000 };
  it('another build read on the same node during the build is sharing', () => {
    expect(sharedAgent(b, undefined, [{ key: 'j#2', samples: 9, firstMs: 0, lastMs: 100_000 }, { key: 'k#5', samples: 3, firstMs: 40_000, lastMs: 70_000 }], 10_000)).toBe(true);
  });
  it('the previous build’s last reading and the next build’s first (within one poll) are not', () => {
    expect(sharedAgent(b, undefined, [{ key: 'j#1', samples: 3, firstMs: -50_000, lastMs: 8_000 }, { key: 'j#3', samples: 1, firstMs: 95_000, lastMs: 105_000 }], 10_000)).toBe(false);
  });
  it('another build Jenkins ran on the same node during the build is sharing (Mesos readings cannot tell them apart)', () => {
    expect(sharedAgent(b, undefined, [], 10_000, [{ key: 'k#1', startMs: 90_000, endMs: 150_000 }])).toBe(true);
    // Back to back on a reused agent: not sharing; the build itself: not sharing.
    expect(sharedAgent(b, undefined, [], 10_000, [{ key: 'k#1', startMs: 100_000, endMs: 150_000 }, { key: 'j#2', startMs: 0, endMs: 100_000 }])).toBe(false);
  });
  it('two containers of the chosen dataset read at the same time are sharing', () => {
    const two = dataset({ containers: [{ key: 'a', samples: 5, firstMs: 0, lastMs: 60_000 }, { key: 'b', samples: 5, firstMs: 20_000, lastMs: 90_000 }] });
    expect(sharedAgent(b, two, [], 10_000)).toBe(true);
    const sequential = dataset({ containers: [{ key: 'a', samples: 5, firstMs: 0, lastMs: 50_000 }, { key: 'b', samples: 5, firstMs: 45_000, lastMs: 90_000 }] });
    expect(sharedAgent(b, sequential, [], 10_000)).toBe(false);
  });
});
