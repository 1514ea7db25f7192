/** `toContainerDoc`: every number finite or absent. */
import { describe, expect, it } from 'vitest';
import { toContainerDoc } from '../../../../../src/collectors/docker/index.js';
import { ID, parsed, stats } from './fixtures.js';

describe('toContainerDoc', () => {
  const reading = parsed(stats());
  const base = { containerId: ID, reading, nowMs: Date.UTC(2026, 10, 22, 3, 0, 2), endpoint: 'tcp://agent-7:2375' } as const;

  it('first reading: memory but no cpu.cores (absent, not 0); inspect limits win', () => {
    const doc = toContainerDoc({ ...base, cpu: { ok: false, reason: 'first_reading' }, inspect: { cpuLimitCores: 2, memoryLimitBytes: 1_073_741_824 } });
    expect(doc.cpu).toEqual({ limit_cores: 2 });
    expect(doc.memory?.limit_bytes).toBe(1_073_741_824);
    expect(doc.memory?.working_set_bytes).toBe(90_000_000);
    expect(doc['@timestamp']).toBe('2026-11-22T03:00:02.000Z');
    expect(doc.service).toEqual({ address: 'tcp://agent-7:2375' });
    expect(doc.host).toBeUndefined();
  });

  it('inspect says unlimited → no memory limit even though stats report one; without inspect, stats limit', () => {
    expect(toContainerDoc({ ...base, cpu: { ok: false, reason: 'first_reading' }, inspect: {} }).memory?.limit_bytes).toBeUndefined();
    expect(toContainerDoc({ ...base, cpu: { ok: false, reason: 'first_reading' } }).memory?.limit_bytes).toBe(268_435_456);
  });

  it('peak_bytes is the peak since the previous sample: max_usage only when it rose', () => {
    const first = { ...base, cpu: { ok: false, reason: 'first_reading' } } as const;
    expect(toContainerDoc(first).memory?.peak_bytes).toBe(120_000_000); // the run so far
    const pair = { ...base, cpu: { ok: true, cores: 0.5, intervalMs: 1000 } } as const;
    expect(toContainerDoc({ ...pair, previousMaxUsageBytes: 100_000_000 }).memory?.peak_bytes).toBe(120_000_000); // new high-water mark
    expect(toContainerDoc({ ...pair, previousMaxUsageBytes: 120_000_000 }).memory?.peak_bytes).toBeUndefined(); // unknown within the interval
  });

  it('non-finite numbers never reach the document', () => {
    const doc = toContainerDoc({ ...base, cpu: { ok: true, cores: Number.NaN, intervalMs: Number.POSITIVE_INFINITY, throttled: { periods: -1, timeMs: Number.NaN } } });
    expect(doc.cpu).toBeUndefined();
  });
});
