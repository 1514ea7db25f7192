import type { BuildRecord } from '../../../src/analysis/index.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const HOUR = 3_600_000;
export const NOW = Date.UTC(2026, 10, 1);

/**
 * A build `i` positions back from the newest (i = 0 newest), ending `i × gapMs` before NOW and
 * lasting 30 minutes, on a 2-core / 4 GiB label unless overridden.
 */
export function build(i: number, over: Partial<BuildRecord> = {}, gapMs = 6 * HOUR): BuildRecord {
  const endMs = NOW - i * gapMs;
  return {
    key: 'team/app',
    job: 'team/app',
    number: 1000 - i,
    startMs: endMs - 30 * 60_000,
    endMs,
    durationMs: 30 * 60_000,
    result: 'SUCCESS',
    requestCpuCores: 2,
    requestMemoryBytes: 4 * GiB,
    cpuP95Cores: 0.5,
    cpuMaxCores: 0.6,
    memoryPeakBytes: 700 * MiB,
    oomKilled: false,
    sharedAgent: false,
    ...over,
  };
}

export function builds(n: number, over: (i: number) => Partial<BuildRecord> = () => ({}), gapMs = 6 * HOUR): BuildRecord[] {
  return Array.from({ length: n }, (_, i) => build(i, over(i), gapMs));
}
