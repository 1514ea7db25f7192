import { describe, expect, it } from 'vitest';
import { containerDocFromReading, cpuCoresBetween, parseAgentStatistics, workingSetBytes } from '../../../../src/collectors/mesos/index.js';

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
    expect(containerDocFromReading(undefined, reading, { ...ctx, executor: { frameworkId: 'f', executorId: 'exec', taskIds: ['a', 'b'] } }).value.mesos!.task).toBeUndefined();
    expect(containerDocFromReading(undefined, reading, { ...ctx, executor: { frameworkId: 'f', executorId: 'exec', taskIds: ['a'] } }).value.mesos!.task).toEqual({ id: 'a' });
    // no agent state at all: container id falls back to the executor id
    expect(containerDocFromReading(undefined, reading, ctx).value.container.id).toBe('exec');
  });
  it('a working set above the hard memory limit (not this container\'s counters) gives no memory figures and is flagged', () => {
    const ctx = { nowMs: NOW, agentUrl: 'http://a:5051' };
    const at = (rss: number) => ({ frameworkId: 'f', executorId: 'e', statistics: { memRssBytes: rss, memTotalBytes: rss, memLimitBytes: 400 * MB } });
    const ok = containerDocFromReading(undefined, at(399 * MB), ctx);
    expect(ok.value.memory).toEqual({ working_set_bytes: 399 * MB, rss_bytes: 399 * MB, usage_bytes: 399 * MB, limit_bytes: 400 * MB });
    expect(ok.skipped['memory_inconsistent']).toBeUndefined();
    const bad = containerDocFromReading(undefined, at(2355 * MB), ctx);
    expect(bad.value.memory).toEqual({ limit_bytes: 400 * MB });
    expect(bad.skipped['memory_inconsistent']).toBe(1);
  });
  it('throttling counters going backwards give no delta', () => {
    const prev = { timestampSecs: 1, cpusUserTimeSecs: 1, cpusSystemTimeSecs: 1, cpusNrThrottled: 100, cpusThrottledTimeSecs: 9 };
    const cur = { timestampSecs: 2, cpusUserTimeSecs: 1, cpusSystemTimeSecs: 1, cpusNrThrottled: 5, cpusThrottledTimeSecs: 1 };
    const d = containerDocFromReading(prev, { frameworkId: 'f', executorId: 'e', statistics: cur }, { nowMs: NOW, agentUrl: 'u' });
    expect(d.value.cpu).toEqual({ cores: 0, interval_ms: 1000, core_seconds: 0 });
  });
});
