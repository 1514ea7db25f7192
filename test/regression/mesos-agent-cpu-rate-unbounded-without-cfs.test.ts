import { describe, expect, it } from 'vitest';
import { containerDocFromReading } from '../../src/collectors/mesos/index.js';

/**
 * Issue 14 item 7: the Mesos agent CPU rate was bounded only when `cpus_nr_periods` advanced, so
 * `cpus_user_time_secs` going 1 → 1e300 between two readings gave `cpu.cores` 8.9e299. Now the
 * rate is bounded by the host's CPUs (the agent's advertised `cpus`) even without a CFS quota:
 * beyond it is an `RS_ERR_PARSE_RANGE` item error, `cpu.cores` is left out, the document kept.
 */
describe('regression: Mesos agent CPU rate without CFS periods is bounded', () => {
  const reading = (t: number, user: number) => ({
    frameworkId: 'f',
    executorId: 'e',
    statistics: { timestampSecs: t, cpusUserTimeSecs: user, cpusSystemTimeSecs: 0, cpusLimit: 1.1, memRssBytes: 1024 },
  });
  const ctx = { nowMs: Date.parse('2026-11-22T03:00:00Z'), agentUrl: 'http://a1:5051', hostCpus: 16 };

  it('1 → 1e300 CPU-seconds in 10 s gives no cpu.cores, one range error, and the memory figures are kept', () => {
    const r = containerDocFromReading(reading(100, 1).statistics, reading(110, 1e300), ctx);
    expect(r.value.cpu?.cores).toBeUndefined();
    expect(r.value.cpu?.core_seconds).toBeUndefined();
    expect(r.value.cpu?.limit_cores).toBe(1.1);
    expect(r.value.memory?.rss_bytes).toBe(1024);
    expect(r.errors.map((e) => e.code)).toEqual(['RS_ERR_PARSE_RANGE']);
  });

  it('a rate above the host CPUs (16) is out of range; one a shares-only container can reach (12 of 16) is kept', () => {
    expect(containerDocFromReading(reading(100, 0).statistics, reading(110, 400), ctx).value.cpu?.cores).toBeUndefined();
    const ok = containerDocFromReading(reading(100, 0).statistics, reading(110, 120), ctx);
    expect(ok.value.cpu?.cores).toBe(12);
    expect(ok.errors).toEqual([]);
  });
});
