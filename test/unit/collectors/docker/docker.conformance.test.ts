/**
 * Conformance of the Docker parsers over every real capture in ../shared/real-captures/docker
 * (read in place, never copied). Each expectation below was computed by hand from the numbers in
 * the file; the arithmetic is in the comments. A capture without an expectation fails the test,
 * and so does a missing folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  containerCpuCores,
  dockerCliCores,
  parseContainerList,
  parseInspect,
  exitFromInspect,
  parseStatsReading,
  type CpuSnapshot,
  type RunningStats,
  type StatsParseResult,
} from '../../../../src/collectors/docker/index.js';
import { REAL_CAPTURES_DIR } from '../../../support/env.js';

const DIR = join(REAL_CAPTURES_DIR, 'docker');

function load(file: string): unknown {
  if (!existsSync(DIR)) {
    throw new Error(
      `real captures folder ${DIR} is absent: the Docker conformance check reads ../shared/real-captures/docker ` +
        '(set RIGHTSIZE_REAL_CAPTURES to its parent folder); it never runs without it',
    );
  }
  return JSON.parse(readFileSync(join(DIR, file), 'utf8')) as unknown;
}

function running(result: StatsParseResult): RunningStats {
  if (result.value?.status !== 'running') throw new Error(`expected a running reading, got ${JSON.stringify(result)}`);
  expect(result.errors).toEqual([]);
  return result.value;
}

function coresOf(prev: CpuSnapshot | undefined, cur: CpuSnapshot): number {
  const r = containerCpuCores(prev, cur);
  if (!r.ok) throw new Error(`expected a CPU figure, got skip ${r.reason}`);
  return r.cores;
}

const HOST_RAM_LIMITED = 'absent: hierarchical_memory_limit ≈ 2^63, so `limit` is the host RAM';

/** One check per capture; the key is the file name. */
const expectations: Record<string, () => void> = {
  'stats_cgroupv1_docker-java_api1.27.json': () => {
    const r = running(parseStatsReading(load('stats_cgroupv1_docker-java_api1.27.json')));
    expect(r.id).toBe('b581d78b03e41d81c9fe941f03f5d35e23733ff96370456b58d2906e002b0deb');
    expect(r.name).toBe('gallant_hamilton');
    expect(r.cpu.onlineCpus).toBe(4);
    expect(r.previous).toBeDefined();
    // Δtotal = 212,198,028 − 211,307,214 = 890,814 ns; Δwall = 03.8352972 − 02.8366736 s = 998,623,600 ns
    const cpu = containerCpuCores(r.previous, r.cpu);
    expect(cpu.ok).toBe(true);
    if (!cpu.ok) return;
    expect(cpu.intervalMs).toBeCloseTo(998.6236, 6);
    expect(cpu.cores).toBeCloseTo(890_814 / 998_623_600, 12); // 0.000892042
    // cross-check, Docker CLI: 890,814 / (545,941,980,000,000 − 545,937,990,000,000) × 4 = 0.000893047
    expect(dockerCliCores(r.previous!, r.cpu)).toBeCloseTo((890_814 / 3_990_000_000) * 4, 12);
    expect(Math.abs(cpu.cores / dockerCliCores(r.previous!, r.cpu)! - 1)).toBeLessThan(0.002);
    expect(cpu.throttled).toEqual({ periods: 0, timeMs: 0, totalPeriods: 0 });
    // memory: usage 647,168 − total_inactive_file 0
    expect(r.memory).toEqual({ usageBytes: 647_168, workingSetBytes: 647_168, rssBytes: 102_400, peakBytes: 1_703_936 });
    expect(r.memory?.limitBytes, HOST_RAM_LIMITED).toBeUndefined();
    expect(r.processCount).toBe(2);
  },
  'stats_cgroupv1_ha-supervisor_partly-edited.json': () => {
    const r = running(parseStatsReading(load('stats_cgroupv1_ha-supervisor_partly-edited.json')));
    // 60,000,000 − total_inactive_file 300,000 (not inactive_file 4,096,000, the non-hierarchical v1 key)
    expect(r.memory?.workingSetBytes).toBe(59_700_000);
    expect(r.memory?.usageBytes).toBe(60_000_000);
    expect(r.memory?.rssBytes).toBe(271_331_328);
    expect(r.memory?.peakBytes).toBe(574_808_064);
    expect(r.memory?.limitBytes, HOST_RAM_LIMITED).toBeUndefined();
    expect(r.cpu.onlineCpus).toBe(6);
    expect(r.processCount).toBe(87);
    // edited counters: Δtotal 190 − 100 = 90 ns over 31.182030268 − 30.176446102 = 1.005584166 s
    expect(coresOf(r.previous, r.cpu)).toBeCloseTo(90 / 1_005_584_166, 15);
    // the CLI formula on the edited system counter: 90 / 100 × 6 = 5.4 (what the apis.md note quotes)
    expect(dockerCliCores(r.previous!, r.cpu)).toBeCloseTo(5.4, 12);
  },
  'stats_cgroupv2_ha-supervisor_partly-edited.json': () => {
    const r = running(parseStatsReading(load('stats_cgroupv2_ha-supervisor_partly-edited.json')));
    // v2: 60,000,000 − inactive_file 300,000
    expect(r.memory?.workingSetBytes).toBe(59_700_000);
    expect(r.memory?.rssBytes).toBe(53_714_944); // anon
    expect(r.memory?.limitBytes).toBe(4_000_000_000); // v2 has no hierarchical limit to contradict it
    expect(r.memory?.peakBytes).toBeUndefined(); // no max_usage on v2
    expect(r.cpu.onlineCpus).toBe(6);
    expect(r.processCount).toBe(29);
    // Δtotal 90 ns over 53.107857116 − 52.100845337 = 1.007011779 s
    expect(coresOf(r.previous, r.cpu)).toBeCloseTo(90 / 1_007_011_779, 15);
  },
  'stats_cgroupv1_moby-swagger-v1.41-example_CONVERTED.json': () => {
    const r = running(parseStatsReading(load('stats_cgroupv1_moby-swagger-v1.41-example_CONVERTED.json')));
    expect(r.id).toBeUndefined();
    expect(r.previous).toBeUndefined(); // no preread → the daemon's window is unknown
    expect(containerCpuCores(r.previous, r.cpu)).toEqual({ ok: false, reason: 'first_reading' });
    expect(r.memory).toEqual({ usageBytes: 6_537_216, workingSetBytes: 6_537_216, rssBytes: 6_537_216, limitBytes: 67_108_864, peakBytes: 6_651_904 });
    expect(r.processCount).toBe(3);
  },
  'stats_cgroupv1_otel_two-containers_loving_torvalds.json': () => {
    const r = running(parseStatsReading(load('stats_cgroupv1_otel_two-containers_loving_torvalds.json')));
    expect(r.name).toBe('loving_torvalds');
    // 1,302,528 − 528,384
    expect(r.memory?.workingSetBytes).toBe(774_144);
    expect(r.memory?.rssBytes).toBe(151_552);
    // hierarchical_memory_limit 9223372036854772000 (float-rounded 2^63) → no limit, although limit = 2,074,079,232
    expect(r.memory?.limitBytes, HOST_RAM_LIMITED).toBeUndefined();
    const cpu = containerCpuCores(r.previous, r.cpu);
    // Δtotal 34,117,917 − 34,117,917 = 0 over 38.711168232 − 37.708457509 s: measured idle, 0 not absent
    expect(cpu).toEqual({ ok: true, cores: 0, intervalMs: 1002.710723, throttled: { periods: 0, timeMs: 0, totalPeriods: 0 } });
  },
  'stats_cgroupv1_spotify_api1.26_memlimit64m.json': () => {
    const r = running(parseStatsReading(load('stats_cgroupv1_spotify_api1.26_memlimit64m.json')));
    // API 1.26: no online_cpus → percpu_usage has 8 entries
    expect(r.cpu.onlineCpus).toBe(8);
    expect(r.memory).toEqual({ usageBytes: 7_921_664, workingSetBytes: 7_921_664, rssBytes: 7_921_664, limitBytes: 64 * 2 ** 20, peakBytes: 8_450_048 });
    expect(r.processCount).toBe(17);
    expect(coresOf(r.previous, r.cpu)).toBe(0);
  },
  'stats_cgroupv1_spotify_api1.30_empty-memory.json': () => {
    const r = running(parseStatsReading(load('stats_cgroupv1_spotify_api1.30_empty-memory.json')));
    expect(r.memory).toBeUndefined(); // memory_stats {}
    expect(r.processCount).toBeUndefined(); // pids_stats {}
    expect(r.cpu.onlineCpus).toBe(8);
    expect(r.cpu.totalUsageNs).toBe(15_444_440);
    expect(coresOf(r.previous, r.cpu)).toBe(0);
  },
  'stats_cgroupv1_spotify_api1.33_running.json': () => {
    const raw = load('stats_cgroupv1_spotify_api1.33_running.json');
    const r = running(parseStatsReading(raw));
    // has total_inactive_file: 8,720,384 − 6,340,608
    expect(r.memory?.workingSetBytes).toBe(2_379_776);
    expect(r.memory?.rssBytes).toBe(1_396_736);
    expect(r.memory?.limitBytes, HOST_RAM_LIMITED).toBeUndefined();
    expect(r.cpu.onlineCpus).toBe(2);
    // the same reading from an old daemon without the inactive_file keys: usage − cache = 8,720,384 − 7,200,768
    const old = structuredClone(raw) as { memory_stats: { stats: Record<string, unknown> } };
    delete old.memory_stats.stats['total_inactive_file'];
    delete old.memory_stats.stats['inactive_file'];
    expect(running(parseStatsReading(old)).memory?.workingSetBytes).toBe(1_519_616);
  },
  'stats_cgroupv2_otel_cpuset-limit_partly-edited.json': () => {
    const r = running(parseStatsReading(load('stats_cgroupv2_otel_cpuset-limit_partly-edited.json')));
    // 2,240,512 − inactive_file 1,892,352
    expect(r.memory?.workingSetBytes).toBe(348_160);
    expect(r.memory?.rssBytes).toBe(61_440);
    expect(r.memory?.limitBytes).toBe(2_063_048_704);
    expect(r.processCount).toBe(1);
    expect(coresOf(r.previous, r.cpu)).toBe(0);
  },
  'stats_cgroupv2_otel_one-shot.json': () => {
    const r = running(parseStatsReading(load('stats_cgroupv2_otel_one-shot.json')));
    // one-shot: preread 0001-01-01, precpu zero → no CPU figure from this reading alone
    expect(r.previous).toBeUndefined();
    expect(containerCpuCores(r.previous, r.cpu)).toEqual({ ok: false, reason: 'first_reading' });
    expect(r.cpu.totalUsageNs).toBe(999_478_000);
    expect(r.memory).toEqual({ usageBytes: 234_647_552, workingSetBytes: 234_647_552, rssBytes: 61_440, limitBytes: 256 * 2 ** 20 });
    expect(r.processCount).toBe(1);
  },
  'stats_exited_spotify_api1.33.json': () => {
    expect(parseStatsReading(load('stats_exited_spotify_api1.33.json')).value).toEqual({
      status: 'not_running',
      id: '3c6271139fb2c54e3f2eadf3c7fc9a95887e3d47f24a0caef615b28f111ccfa3',
      name: 'jovial_liskov',
    });
  },
  'container_inspect_docker-java_api1.24.json': () => {
    const r = parseInspect(load('container_inspect_docker-java_api1.24.json'));
    expect(r.errors).toEqual([]);
    if (r.value === undefined) throw new Error(JSON.stringify(r));
    // API 1.24: no NanoCpus; CpuQuota 0, Memory 0 → unlimited; Labels {} → none
    expect(r.value).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      name: 'small_hodgkin',
      imageName: 'busybox',
      oomKilled: false,
      startedAtMs: Date.UTC(2015, 10, 20, 21, 10, 34, 845), // 2015-11-20T21:10:34.845546358Z, whole ms
      status: 'running', // running: ExitCode 0 and FinishedAt 0001-01-01 are not an exit
    });
    expect(exitFromInspect(r.value)).toBeUndefined();
  },
  'containers_json_docker-java_api1.22.json': () => {
    const r = parseContainerList(load('containers_json_docker-java_api1.22.json'));
    // API 1.22 has no State field
    expect(r).toEqual({
      value: [{ id: '095351afe7b4995dfb3e965f9cfd3a07b1fe69198c50085a2cb7c2b5a5c9b62f', name: 'drunk_golick', imageName: 'busybox' }],
      errors: [],
      skipped: {},
    });
  },
  'containers_json_moby-swagger-v1.41-example_CONVERTED.json': () => {
    const r = parseContainerList(load('containers_json_moby-swagger-v1.41-example_CONVERTED.json'));
    if (r.value === undefined) throw new Error(JSON.stringify(r.errors));
    expect(r.errors).toEqual([]);
    expect(r.value.map((c) => [c.id, c.name, c.state])).toEqual([
      ['8dfafdbc3a40', 'boring_feynman', 'exited'],
      ['9cd87474be90', 'coolName', 'exited'],
      ['3176a2479c92', 'sleepy_dog', 'exited'],
      ['4cb07b47f9fb', 'running_cat', 'exited'],
    ]);
  },
  'containers_json_otel_cgroupsv2.json': () => {
    const r = parseContainerList(load('containers_json_otel_cgroupsv2.json'));
    expect(r).toEqual({
      value: [{ id: 'f97ed5bca0a5a0b85bfd52c4144b96174e825c92a138bc0458f0e196f2c7c1b4', name: 'compassionate_mcnulty', imageName: 'alpine', state: 'running' }],
      errors: [],
      skipped: {},
    });
  },
  'containers_json_otel_two-containers.json': () => {
    const r = parseContainerList(load('containers_json_otel_two-containers.json'));
    if (r.value === undefined) throw new Error(JSON.stringify(r.errors));
    expect(r.value.map((c) => [c.id.slice(0, 12), c.name, c.imageName, c.state])).toEqual([
      ['89d28931fd8b', 'loving_torvalds', 'alpine', 'running'],
      ['a359c0fc87c5', 'pensive_aryabhata', 'ubuntu', 'running'],
    ]);
  },
};

describe('Docker parsers on the real captures', () => {
  it('finds the captures folder', () => {
    expect(existsSync(DIR), `real captures folder ${DIR} is absent (RIGHTSIZE_REAL_CAPTURES)`).toBe(true);
  });

  it('has an expectation for every capture in the folder, and a capture for every expectation', () => {
    if (!existsSync(DIR)) throw new Error(`real captures folder ${DIR} is absent (RIGHTSIZE_REAL_CAPTURES)`);
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(Object.keys(expectations).sort());
  });

  for (const [file, check] of Object.entries(expectations)) {
    it(file, check);
  }

  it('never produces NaN, Infinity or negative numbers from any capture', () => {
    if (!existsSync(DIR)) throw new Error(`real captures folder ${DIR} is absent (RIGHTSIZE_REAL_CAPTURES)`);
    for (const file of readdirSync(DIR).filter((f) => f.startsWith('stats_'))) {
      const r = parseStatsReading(load(file));
      const numbers: number[] = [];
      JSON.stringify(r, (_k, v: unknown) => {
        if (typeof v === 'number') numbers.push(v);
        return v;
      });
      for (const n of numbers) expect(Number.isFinite(n) && n >= 0, `${file}: ${n}`).toBe(true);
    }
  });
});
