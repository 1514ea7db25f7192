import { describe, expect, it } from 'vitest';
import {
  baseUrlFromPid,
  containerDocFromReading,
  cpuCoresBetween,
  dockerEndpointFromTemplate,
  parseAgentStatistics,
  parseMasterState,
  parseMetricsSnapshot,
  parseRoles,
  workingSetBytes,
} from '../../../../src/collectors/mesos/index.js';

const NOW = Date.parse('2026-11-22T03:00:00.000Z');
const T = 'mesos-test';
const MB = 1024 * 1024;

describe('cpuCoresBetween', () => {
  const at = (t: number, user: number, sys: number) => ({ timestampSecs: t, cpusUserTimeSecs: user, cpusSystemTimeSecs: sys });

  it('Δ(user+system) / Δtimestamp', () => {
    // 3 + 1 CPU-s over 8 s
    expect(cpuCoresBetween(at(100, 10, 5), at(108, 13, 6))).toEqual({ ok: true, cores: 0.5, intervalMs: 8000 });
  });
  it('first reading, Δt ≤ 0, counter going backwards, missing fields: absent, never negative or NaN', () => {
    expect(cpuCoresBetween(undefined, at(100, 1, 1))).toEqual({ ok: false, skip: 'first_reading' });
    expect(cpuCoresBetween(at(100, 1, 1), at(100, 2, 2))).toEqual({ ok: false, skip: 'non_increasing_time' });
    expect(cpuCoresBetween(at(100, 1, 1), at(90, 2, 2))).toEqual({ ok: false, skip: 'non_increasing_time' });
    expect(cpuCoresBetween(at(100, 50, 50), at(110, 1, 1))).toEqual({ ok: false, skip: 'counter_reset' });
    expect(cpuCoresBetween({ timestampSecs: 100, cpusUserTimeSecs: 1 }, at(110, 1, 1))).toEqual({ ok: false, skip: 'missing_counters' });
    expect(cpuCoresBetween(at(0, 0, 0), at(110, 1, 1))).toEqual({ ok: false, skip: 'missing_counters' });
  });
  it('a rate above the enforced CFS quota is implausible (somebody else\'s counters), with shares only it is not', () => {
    const q = (t: number, cpu: number, periods: number) => ({ timestampSecs: t, cpusUserTimeSecs: cpu, cpusSystemTimeSecs: 0, cpusLimit: 0.5, cpusNrPeriods: periods });
    // 0.5-cpu quota: 0.54 cores over 10 s is within 1.1×, 0.56 is not; 160 cores (a root-cgroup read) is not.
    expect(cpuCoresBetween(q(100, 10, 1000), q(110, 15.4, 1100))).toEqual({ ok: true, cores: expect.closeTo(0.54, 9) as number, intervalMs: 10000 });
    expect(cpuCoresBetween(q(100, 10, 1000), q(110, 15.6, 1100))).toEqual({ ok: false, skip: 'implausible_rate' });
    expect(cpuCoresBetween(q(100, 10, 1000), q(110, 1610, 1100))).toEqual({ ok: false, skip: 'implausible_rate' });
    // No CFS periods advanced: shares only, using more than the limit is legal.
    expect(cpuCoresBetween(q(100, 10, 0), q(110, 25, 0))).toEqual({ ok: true, cores: 1.5, intervalMs: 10000 });
  });
  it('idle executor: exactly 0 cores (a measured zero, not a missing value)', () => {
    expect(cpuCoresBetween(at(100, 5, 5), at(110, 5, 5))).toEqual({ ok: true, cores: 0, intervalMs: 10000 });
  });
});

describe('workingSetBytes', () => {
  it('total − file, else total − cache, else total, else rss; negative → undefined', () => {
    expect(workingSetBytes({ memTotalBytes: 1000, memFileBytes: 300, memCacheBytes: 999, memRssBytes: 5 })).toBe(700);
    expect(workingSetBytes({ memTotalBytes: 1000, memCacheBytes: 400 })).toBe(600);
    expect(workingSetBytes({ memTotalBytes: 1000 })).toBe(1000);
    expect(workingSetBytes({ memRssBytes: 77 })).toBe(77);
    expect(workingSetBytes({ memTotalBytes: 10, memFileBytes: 11, memRssBytes: 77 })).toBeUndefined();
    expect(workingSetBytes({})).toBeUndefined();
  });
});

describe('parseMetricsSnapshot: bad input', () => {
  const ctx = { target: T, nowMs: NOW, masterUrl: 'http://m:5050' };
  it('wrong types and "NaN" strings become absent fields plus one error each', () => {
    const r = parseMetricsSnapshot({ 'master/elected': 1, 'master/cpus_total': 'NaN', 'master/mem_total': 1024, 'master/mem_used': -5, 'master/tasks_running': null }, ctx);
    expect(r.value.doc!.mesos.cpus).toBeUndefined();
    expect(r.value.doc!.mesos.mem).toEqual({ total_bytes: 1024 * MB });
    expect(r.value.doc!.mesos.tasks).toBeUndefined();
    expect(r.errors.map((e) => [e.code, e.subject])).toEqual([
      ['RS_ERR_PARSE_SHAPE', 'master/cpus_total'],
      ['RS_ERR_PARSE_SHAPE', 'master/mem_used'],
    ]);
    expect(r.errors.every((e) => e.target === T)).toBe(true);
  });
  it('a non-elected master says so; a missing elected key is "unknown"', () => {
    expect(parseMetricsSnapshot({ 'master/elected': 0, 'master/cpus_total': 4 }, ctx).value.elected).toBe(false);
    expect(parseMetricsSnapshot({ 'master/cpus_total': 4 }, ctx).value.elected).toBeUndefined();
  });
  it('not an object (array, string, null): error, no document', () => {
    for (const body of [[1, 2], 'hello', null, 42]) {
      const r = parseMetricsSnapshot(body, ctx);
      expect(r.value.doc).toBeUndefined();
      expect(r.errors).toHaveLength(1);
    }
  });
  it('Infinity (from 1e999 in the JSON) is not a number for a document', () => {
    const r = parseMetricsSnapshot(JSON.parse('{"master/elected":1,"master/cpus_total":1e999}'), ctx);
    expect(r.value.doc!.mesos.cpus).toBeUndefined();
    expect(r.errors).toHaveLength(1);
  });
});

describe('parseMasterState: bad input', () => {
  it('agents and tasks without ids are errors; the rest is kept; resources as protobuf list summed per name', () => {
    const r = parseMasterState(
      {
        leader: 'master@h:5050',
        pid: 'master@other:5050',
        slaves: [
          { hostname: 'noid' },
          { id: 'S1', resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'a' }, { name: 'cpus', type: 'SCALAR', scalar: { value: 2.5 }, role: '*' }, { name: 'mem', scalar: { value: 10 } }] },
          'garbage',
        ],
        frameworks: [
          { id: 'F1', tasks: [{ name: 'no id' }, { id: 'T1', slave_id: 'S1', resources: { cpus: 'two', mem: 64 } }] },
        ],
      },
      { target: T, nowMs: NOW },
    );
    expect(r.value.isLeader).toBe(false);
    expect(r.value.agents).toEqual([{ id: 'S1', resources: { cpus: 3.5, memBytes: 10 * MB } }]);
    expect(r.value.tasks.get('T1')!.request).toEqual({ memBytes: 64 * MB });
    expect(r.errors.map((e) => e.message)).toEqual([
      'slave without an id',
      'slave entry is not an object',
      'task without an id',
      'cpus is not a finite number (string "two")',
    ]);
  });
  it('HTML parsed into a string, or an unrelated object: one error, empty state', () => {
    expect(parseMasterState('<html>', { target: T, nowMs: NOW }).errors).toHaveLength(1);
    expect(parseMasterState({ hello: 1 }, { target: T, nowMs: NOW }).errors).toHaveLength(1);
  });
  it('the newest status with a container id wins', () => {
    const r = parseMasterState(
      {
        frameworks: [
          {
            id: 'F',
            tasks: [
              {
                id: 'T',
                statuses: [
                  { timestamp: 20, container_status: { container_id: { value: 'new' } } },
                  { timestamp: 10, container_status: { container_id: { value: 'old' } } },
                ],
              },
            ],
          },
        ],
      },
      { target: T, nowMs: NOW },
    );
    expect(r.value.tasks.get('T')!.containerId).toBe('new');
  });
});

describe('parseRoles: bad input', () => {
  it('1.x `allocated` is preferred to `resources`; a nameless role is an error', () => {
    const r = parseRoles({ roles: [{ name: 'ci', weight: 2, allocated: { cpus: 3, mem: 2048 }, resources: { cpus: 99 } }, { weight: 1 }] }, { target: T, nowMs: NOW });
    expect(r.value.map((d) => d.mesos.role)).toEqual([{ name: 'ci', weight: 2, allocated: { cpus: 3, mem_bytes: 2048 * MB } }]);
    expect(r.errors).toHaveLength(1);
    expect(parseRoles([], { target: T, nowMs: NOW }).errors).toHaveLength(1);
  });
});

describe('parseAgentStatistics: bad input', () => {
  it('an object instead of an array is an error; entries without ids are errors; non-number stats dropped', () => {
    expect(parseAgentStatistics({ executors: [] }, { target: T }).errors).toHaveLength(1);
    const r = parseAgentStatistics(
      [
        { executor_id: 'e1', statistics: {} },
        { executor_id: 'e2', framework_id: 'f', statistics: { timestamp: 10, cpus_user_time_secs: 'x', mem_rss_bytes: 5 } },
        { executor_id: 'e3', framework_id: 'f', statistics: 'nope' },
      ],
      { target: T },
    );
    expect(r.value).toEqual([{ executorId: 'e2', frameworkId: 'f', statistics: { timestampSecs: 10, memRssBytes: 5 } }]);
    expect(r.errors).toHaveLength(3);
  });
  it('a custom executor with several tasks gets no task id; one with a single task gets it', () => {
    const reading = { frameworkId: 'f', executorId: 'exec', executorName: 'custom', statistics: { memRssBytes: 1 } };
    const ctx = { nowMs: NOW, agentUrl: 'http://a:5051' };
    expect(containerDocFromReading(undefined, reading, { ...ctx, executor: { frameworkId: 'f', executorId: 'exec', taskIds: ['a', 'b'] } }).doc.mesos!.task).toBeUndefined();
    expect(containerDocFromReading(undefined, reading, { ...ctx, executor: { frameworkId: 'f', executorId: 'exec', taskIds: ['a'] } }).doc.mesos!.task).toEqual({ id: 'a' });
    // no agent state at all: container id falls back to the executor id
    expect(containerDocFromReading(undefined, reading, ctx).doc.container.id).toBe('exec');
  });
  it('a working set above the hard memory limit (not this container\'s counters) gives no memory figures and is flagged', () => {
    const ctx = { nowMs: NOW, agentUrl: 'http://a:5051' };
    const at = (rss: number) => ({ frameworkId: 'f', executorId: 'e', statistics: { memRssBytes: rss, memTotalBytes: rss, memLimitBytes: 400 * MB } });
    const ok = containerDocFromReading(undefined, at(399 * MB), ctx);
    expect(ok.doc.memory).toEqual({ working_set_bytes: 399 * MB, rss_bytes: 399 * MB, usage_bytes: 399 * MB, limit_bytes: 400 * MB });
    expect(ok.memoryInconsistent).toBe(false);
    const bad = containerDocFromReading(undefined, at(2355 * MB), ctx);
    expect(bad.doc.memory).toEqual({ limit_bytes: 400 * MB });
    expect(bad.memoryInconsistent).toBe(true);
  });
  it('throttling counters going backwards give no delta', () => {
    const prev = { timestampSecs: 1, cpusUserTimeSecs: 1, cpusSystemTimeSecs: 1, cpusNrThrottled: 100, cpusThrottledTimeSecs: 9 };
    const cur = { timestampSecs: 2, cpusUserTimeSecs: 1, cpusSystemTimeSecs: 1, cpusNrThrottled: 5, cpusThrottledTimeSecs: 1 };
    const d = containerDocFromReading(prev, { frameworkId: 'f', executorId: 'e', statistics: cur }, { nowMs: NOW, agentUrl: 'u' });
    expect(d.doc.cpu).toEqual({ cores: 0, interval_ms: 1000, core_seconds: 0 });
  });
});

describe('URLs from pids and templates', () => {
  it('baseUrlFromPid', () => {
    expect(baseUrlFromPid('slave(1)@10.0.2.121:5051')).toBe('http://10.0.2.121:5051');
    expect(baseUrlFromPid('master@[2001:db8::1]:5050', 'https')).toBe('https://[2001:db8::1]:5050');
    expect(baseUrlFromPid('no-at-sign')).toBeUndefined();
    expect(baseUrlFromPid('slave(1)@host')).toBeUndefined();
  });
  it('dockerEndpointFromTemplate: fills hostname/id; refuses missing or URL-breaking values', () => {
    expect(dockerEndpointFromTemplate('tcp://{hostname}:2375', { hostname: '10.0.2.121' })).toBe('tcp://10.0.2.121:2375');
    expect(dockerEndpointFromTemplate('tcp://{hostname}:2375', {})).toBeUndefined();
    expect(dockerEndpointFromTemplate('tcp://{hostname}:2375', { hostname: 'evil@host/x' })).toBeUndefined();
    expect(dockerEndpointFromTemplate('tcp://docker-{id}.local:2376', { id: 'S1' })).toBe('tcp://docker-S1.local:2376');
  });
});
