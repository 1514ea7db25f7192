/**
 * The parsers on responses recorded from the real engine here (Docker 20.10.24, API 1.41,
 * cgroup v1, 2 CPUs) by test/fixtures/docker/recorded/record.sh: a container started with
 * `--cpus 1 -m 256m` running `workload --cpu 0.5 --mem 64m`. Expected values are computed by
 * hand from the numbers in the files (arithmetic in the comments). If the fixtures are
 * re-recorded, these numbers must be recomputed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exitFromInspect,
  containerCpuCores,
  dockerCliCores,
  parseContainerList,
  parseInspect,
  parseStatsReading,
  toContainerDoc,
  type RunningStats,
  type StatsParseResult,
} from '../../../../src/collectors/docker/index.js';
import { REPO_ROOT } from '../../../support/env.js';

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'docker', 'recorded');
const load = (file: string): unknown => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as unknown;

function running(result: StatsParseResult): RunningStats {
  if (result.value?.status !== 'running') throw new Error(`expected a running reading, got ${JSON.stringify(result)}`);
  expect(result.errors).toEqual([]);
  return result.value;
}

const ID = 'f2ff7e59b781';

describe('recorded engine responses', () => {
  it('one-shot readings carry no previous sample: the first gives no CPU figure', () => {
    const first = running(parseStatsReading(load('stats_oneshot_1.json')));
    expect(first.id?.startsWith(ID)).toBe(true);
    expect(first.previous).toBeUndefined(); // preread 0001-01-01, precpu total 0
    expect(containerCpuCores(undefined, first.cpu)).toEqual({ ok: false, reason: 'first_reading' });
  });

  it('a one-shot pair gives the workload’s 0.5 cores', () => {
    const a = running(parseStatsReading(load('stats_oneshot_1.json')));
    const b = running(parseStatsReading(load('stats_oneshot_2.json')));
    // Δtotal = 3,102,400,912 − 2,091,010,567 = 1,011,390,345 ns
    // Δread  = 03:22:37.325400051 − 03:22:35.300811730 = 2,024,588,321 ns
    // cores  = 1,011,390,345 / 2,024,588,321 = 0.499554
    const cpu = containerCpuCores(a.cpu, b.cpu);
    expect(cpu.ok).toBe(true);
    if (!cpu.ok) return;
    expect(cpu.cores).toBeCloseTo(1_011_390_345 / 2_024_588_321, 12);
    expect(cpu.cores).toBeCloseTo(0.499554, 6);
    expect(cpu.intervalMs).toBeCloseTo(2024.588321, 9);
    // periods 62 − 42 = 20 elapsed, none throttled (0.5 of a 1-core quota)
    expect(cpu.throttled).toEqual({ periods: 0, timeMs: 0, totalPeriods: 20 });
  });

  it('stream=false without one-shot: the daemon’s own ~1 s pair gives the same rate', () => {
    const r = running(parseStatsReading(load('stats_with_precpu.json')));
    expect(r.previous).toBeDefined();
    // Δtotal = 4,107,402,548 − 3,605,910,802 = 501,491,746 ns over 39.334660881 − 38.329840930 = 1,004,819,951 ns → 0.499086
    const cpu = containerCpuCores(r.previous, r.cpu);
    expect(cpu.ok && cpu.cores).toBeCloseTo(501_491_746 / 1_004_819_951, 12);
    // Docker CLI: 501,491,746 / (1,914,760,000,000 − 1,912,820,000,000) × 2 = 0.517002 — the 10 ms
    // tick granularity of system_cpu_usage (1.94 s of host CPU for ~1.005 s × 2 CPUs) shows here
    expect(dockerCliCores(r.previous!, r.cpu)).toBeCloseTo((501_491_746 / 1_940_000_000) * 2, 12);
  });

  it('memory: 64 MiB held, no page cache, limit 256 MiB', () => {
    const r = running(parseStatsReading(load('stats_oneshot_2.json')));
    // usage 67,919,872 − total_inactive_file 0 = 67,919,872 B = 64.77 MiB (64 MiB + the program itself)
    expect(r.memory).toEqual({
      usageBytes: 67_919_872,
      workingSetBytes: 67_919_872,
      rssBytes: 67_174_400,
      limitBytes: 256 * 2 ** 20, // hierarchical_memory_limit 268,435,456 too: a real limit
      peakBytes: 67_919_872,
    });
    expect(r.processCount).toBe(2);
  });

  it('an exited container answers with zeros and 0001-01-01: not running', () => {
    expect(parseStatsReading(load('stats_exited.json')).value).toMatchObject({ status: 'not_running', name: 'rightsize-fixture' });
  });

  it('inspect: --cpus 1 → NanoCpus 1e9 → 1 core; -m 256m → 268,435,456 B; labels keep their dots (docs/data-model.md)', () => {
    const r = parseInspect(load('inspect.json'));
    if (r.value === undefined) throw new Error(JSON.stringify(r.errors));
    expect(r.value).toMatchObject({
      name: 'rightsize-fixture',
      imageName: 'rightsize/workload:latest',
      cpuLimitCores: 1,
      memoryLimitBytes: 268_435_456,
      oomKilled: false,
      labels: { 'rightsize.fixture': 'cpu0.5-mem64m' },
    });
    expect(r.value.mesos).toBeUndefined();
    expect(r.value.jenkins).toBeUndefined();
  });

  it('inspect of an OOM-killed container: OOMKilled true, -m 32m, no CPU limit', () => {
    const r = parseInspect(load('inspect_oomkilled.json'));
    if (r.value === undefined) throw new Error(JSON.stringify(r.errors));
    expect(r.value.oomKilled).toBe(true);
    expect(r.value.memoryLimitBytes).toBe(32 * 2 ** 20);
    expect(r.value.cpuLimitCores).toBeUndefined();
    // how it ended, as the collector's exit lookup reads it: FinishedAt 03:23:02.519876796Z, whole ms
    expect(exitFromInspect(r.value)).toEqual({ atMs: Date.UTC(2026, 10, 22, 3, 23, 2, 519), exitCode: 137, oomKilled: true });
  });

  it('the list names the running container', () => {
    const r = parseContainerList(load('containers_list.json'));
    if (r.value === undefined) throw new Error(JSON.stringify(r.errors));
    expect(r.value.some((c) => c.id.startsWith(ID) && c.name === 'rightsize-fixture' && c.state === 'running')).toBe(true);
  });

  it('the document of the pair carries the data-model fields', () => {
    const a = running(parseStatsReading(load('stats_oneshot_1.json')));
    const b = running(parseStatsReading(load('stats_oneshot_2.json')));
    const inspect = parseInspect(load('inspect.json'));
    if (inspect.value === undefined) throw new Error(JSON.stringify(inspect.errors));
    const doc = toContainerDoc({
      containerId: b.id!,
      reading: b,
      cpu: containerCpuCores(a.cpu, b.cpu),
      inspect: inspect.value,
      nowMs: Date.UTC(2026, 10, 22, 3, 22, 37, 400),
      endpoint: 'unix:///var/run/docker.sock',
      hostName: 'vm',
    });
    expect(doc).toEqual({
      '@timestamp': '2026-11-22T03:22:37.400Z',
      event: { dataset: 'docker.container', module: 'docker' },
      host: { name: 'vm' },
      service: { address: 'unix:///var/run/docker.sock' },
      container: {
        id: b.id,
        name: 'rightsize-fixture',
        image: { name: 'rightsize/workload:latest' },
        runtime: 'docker',
        labels: { 'rightsize.fixture': 'cpu0.5-mem64m' },
      },
      cpu: { cores: 1_011_390_345 / 2_024_588_321, limit_cores: 1, interval_ms: Math.round(2_024_588_321 / 1e6) /* mapped as long */, core_seconds: expect.closeTo(1.011390345, 9) /* Δ total_usage in s */, throttled: { periods: 0, time_ms: 0 } },
      memory: { working_set_bytes: 67_919_872, rss_bytes: 67_174_400, usage_bytes: 67_919_872, limit_bytes: 268_435_456, peak_bytes: 67_919_872 },
      process: { count: 2 },
    });
  });
});
