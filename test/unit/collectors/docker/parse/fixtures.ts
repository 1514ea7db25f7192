/** Shared stats fixtures of the Docker parser tests. */
import { parseStatsReading, type RunningStats } from '../../../../../src/collectors/docker/index.js';

export const ID = 'a'.repeat(64);

/** A minimal cgroup v1 one-shot reading; `over` replaces top-level keys. */
export function stats(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: ID,
    name: '/job',
    read: '2026-11-22T03:00:01.000000000Z',
    preread: '0001-01-01T00:00:00Z',
    pids_stats: { current: 3 },
    cpu_stats: {
      cpu_usage: { total_usage: 2_000_000_000, percpu_usage: [1_000_000_000, 1_000_000_000] },
      system_cpu_usage: 50_000_000_000,
      online_cpus: 2,
      throttling_data: { periods: 100, throttled_periods: 10, throttled_time: 500_000_000 },
    },
    precpu_stats: { cpu_usage: { total_usage: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    memory_stats: {
      usage: 100_000_000,
      max_usage: 120_000_000,
      limit: 268_435_456,
      stats: { total_inactive_file: 10_000_000, total_rss: 80_000_000, cache: 15_000_000, hierarchical_memory_limit: 268_435_456 },
    },
    ...over,
  };
}

export function parsed(raw: unknown): RunningStats {
  const r = parseStatsReading(raw);
  if (r.value?.status !== 'running') throw new Error(JSON.stringify(r));
  return r.value;
}

