import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerCgroupPaths, parseProcCgroup, readCgroupUsage, usageFromV1, usageFromV2 } from '../../../../src/emulators/runtime/cgroups.js';
import { usageFromDockerStats } from '../../../../src/emulators/runtime/DockerRuntime.js';

describe('cgroup readers', () => {
  it('finds v1 controller paths and the v2 unified path in /proc/<pid>/cgroup', () => {
    const p = parseProcCgroup('12:cpu,cpuacct:/docker/abc\n9:memory:/docker/abc\n1:name=systemd:/docker/abc\n0::/docker/abc\n');
    expect(p.v1.get('cpu')).toBe('/docker/abc');
    expect(p.v1.get('cpuacct')).toBe('/docker/abc');
    expect(p.v1.get('memory')).toBe('/docker/abc');
    expect(p.v2).toBe('/docker/abc');
    expect(parseProcCgroup('garbage\n').v1.size).toBe(0);
  });

  it('v1: cpuacct.stat ticks of 1/100 s, throttled_time ns, total_rss bytes', () => {
    const u = usageFromV1('user 412\nsystem 37\n', 'nr_periods 300\nnr_throttled 12\nthrottled_time 1500000000\n', 'cache 0\nrss 10547200\ntotal_rss 10551296\n', 1_700_000_000_500);
    expect(u).toEqual({ timestampSec: 1_700_000_000.5, cpuUserSecs: 4.12, cpuSystemSecs: 0.37, rssBytes: 10551296, nrPeriods: 300, nrThrottled: 12, throttledSecs: 1.5 });
    expect(usageFromV1('', '', '', 0)).toBeUndefined();
  });

  it('v2: cpu.stat µs, memory.stat anon', () => {
    const u = usageFromV2('usage_usec 5000000\nuser_usec 4000000\nsystem_usec 1000000\nnr_periods 10\nnr_throttled 2\nthrottled_usec 250000\n', 'anon 2097152\nfile 0\n', 1_700_000_000_000);
    expect(u).toEqual({ timestampSec: 1_700_000_000, cpuUserSecs: 4, cpuSystemSecs: 1, rssBytes: 2097152, nrPeriods: 10, nrThrottled: 2, throttledSecs: 0.25 });
  });

  it('Docker stats map to the same units (ns → s) and zero usage counts as no sample', () => {
    const stats = {
      cpu_stats: { cpu_usage: { total_usage: 5e9, usage_in_usermode: 4.1e9, usage_in_kernelmode: 0.4e9 }, throttling_data: { periods: 7, throttled_periods: 1, throttled_time: 2e8 } },
      memory_stats: { stats: { rss: 1234 } },
    };
    expect(usageFromDockerStats(stats as never, 2000)).toEqual({ timestampSec: 2, cpuUserSecs: 4.1, cpuSystemSecs: 0.4, rssBytes: 1234, nrPeriods: 7, nrThrottled: 1, throttledSecs: 0.2 });
    expect(usageFromDockerStats({ cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} } as never, 0)).toBeUndefined();
  });

  it('Docker stats are timed by the daemon\'s read, not by when the answer arrived (Go\'s zero time falls back)', () => {
    const stats = { read: '2017-12-06T00:42:03.8352972Z', cpu_stats: { cpu_usage: { total_usage: 1 } }, memory_stats: {} };
    expect(usageFromDockerStats(stats as never, 9_999_999_999_999)?.timestampSec).toBe(1512520923.835);
    expect(usageFromDockerStats({ ...stats, read: '0001-01-01T00:00:00Z' } as never, 2000)?.timestampSec).toBe(2);
  });
});

describe('readCgroupUsage', () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-cgroup-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (rel: string, text: string): void => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  put('cpuacct/docker/abc/cpuacct.stat', 'user 50\nsystem 25\n');
  put('cpu/docker/abc/cpu.stat', 'nr_periods 4\nnr_throttled 1\nthrottled_time 2000000\n');
  put('memory/docker/abc/memory.stat', 'total_rss 4096\n');
  put('v2/docker-abc.scope/cpu.stat', 'user_usec 1500000\nsystem_usec 500000\n');
  put('v2/docker-abc.scope/memory.stat', 'anon 8192\n');
  const v1 = containerCgroupPaths(parseProcCgroup('12:cpu,cpuacct:/docker/abc\n9:memory:/docker/abc\n'))!;

  it('reads v1 and v2 files and takes the clock once, when the counters have been read', () => {
    let calls = 0;
    const now = (): number => 1_700_000_000_000 + 1000 * ++calls;
    expect(readCgroupUsage(v1, now, root)).toEqual({ timestampSec: 1_700_000_001, cpuUserSecs: 0.5, cpuSystemSecs: 0.25, rssBytes: 4096, nrPeriods: 4, nrThrottled: 1, throttledSecs: 0.002 });
    expect(readCgroupUsage({ v1: new Map(), v2: 'v2/docker-abc.scope' }, now, root)).toMatchObject({ timestampSec: 1_700_000_002, cpuUserSecs: 1.5, cpuSystemSecs: 0.5, rssBytes: 8192 });
    expect(calls).toBe(2);
  });

  it('is undefined once the cgroup is gone (the container exited), without reading the clock', () => {
    let calls = 0;
    expect(readCgroupUsage(containerCgroupPaths(parseProcCgroup('12:cpu,cpuacct:/docker/gone\n9:memory:/docker/gone\n'))!, () => ++calls, root)).toBeUndefined();
    expect(calls).toBe(0);
  });
});

describe('containerCgroupPaths', () => {
  it('keeps a container\'s cpu, cpuacct and memory cgroups', () => {
    const p = containerCgroupPaths(parseProcCgroup('12:cpu,cpuacct:/docker/abc\n9:memory:/docker/abc\n1:name=systemd:/docker/abc\n'));
    expect(p && [...p.v1.entries()].sort()).toEqual([['cpu', '/docker/abc'], ['cpuacct', '/docker/abc'], ['memory', '/docker/abc']]);
  });
  it('refuses the root cgroup (an exiting process or a reused pid reports "/": the whole machine\'s counters)', () => {
    expect(containerCgroupPaths(parseProcCgroup('12:cpu,cpuacct:/\n9:memory:/\n'))).toBeUndefined();
    expect(containerCgroupPaths(parseProcCgroup('12:cpu,cpuacct:/docker/abc\n9:memory:/\n'))).toBeUndefined();
    expect(containerCgroupPaths(parseProcCgroup('0::/\n'))).toBeUndefined();
  });
  it('takes the unified path on a cgroup v2 host', () => {
    expect(containerCgroupPaths(parseProcCgroup('0::/system.slice/docker-abc.scope\n'))).toEqual({ v1: new Map(), v2: '/system.slice/docker-abc.scope' });
  });
});
