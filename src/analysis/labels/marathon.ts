import type { RecommendationDoc, Resources } from '../../model/index.js';
import { recommendCore } from '../recommend/core.js';
import type { RecommenderPolicy } from '../recommend/policy.js';
import type { BuildRecord } from '../recommend/records.js';
import { buildRate, toRecommendationDoc } from '../recommend/workload.js';
import { percentile } from '../stats/weighted.js';

/** One usage sample of a Marathon app instance (from the container documents). */
export interface AppSample {
  readonly timestampMs: number;
  readonly cpuCores?: number;
  readonly memoryBytes?: number;
}

export interface MarathonAppInput {
  readonly appId: string;
  readonly samples: readonly AppSample[];
  /** The app's configured `cpus` and `mem` (bytes). */
  readonly current: Resources;
  readonly previous?: Resources;
  /** Length of the windows samples are grouped into. @defaultValue 1 h */
  readonly windowMs?: number;
}

/**
 * Sizes a long-running Marathon app with the same recommender as builds: its samples are cut
 * into fixed windows (default 1 h) and each window acts as one "build" (CPU p95 and max of the
 * window's samples, memory peak), so the half-lives count windows (H = 10 h CPU, 20 h memory
 * with the default policy) and the minimum evidence is 5 windows. Kind `marathon.app`.
 */
export function recommendMarathonApp(input: MarathonAppInput, policy: RecommenderPolicy, nowMs: number): RecommendationDoc {
  const windowMs = input.windowMs ?? 3_600_000;
  const fromMs = nowMs - policy.windowDays * 86_400_000;
  const windows = new Map<number, { cpu: number[]; mem: number }>();
  for (const s of input.samples) {
    if (s.timestampMs > nowMs || s.timestampMs < fromMs) continue;
    const w = Math.floor(s.timestampMs / windowMs);
    const e = windows.get(w) ?? { cpu: [], mem: 0 };
    if (s.cpuCores !== undefined && Number.isFinite(s.cpuCores)) e.cpu.push(s.cpuCores);
    if (s.memoryBytes !== undefined && Number.isFinite(s.memoryBytes)) e.mem = Math.max(e.mem, s.memoryBytes);
    windows.set(w, e);
  }
  const records: BuildRecord[] = [...windows.entries()]
    .sort((a, b) => b[0] - a[0])
    .slice(0, policy.maxBuilds)
    .map(([w, e]) => ({
      key: input.appId,
      job: input.appId,
      number: w,
      startMs: w * windowMs,
      endMs: (w + 1) * windowMs,
      durationMs: windowMs,
      ...(input.current.cpu_cores !== undefined ? { requestCpuCores: input.current.cpu_cores } : {}),
      ...(input.current.memory_bytes !== undefined ? { requestMemoryBytes: input.current.memory_bytes } : {}),
      ...(e.cpu.length > 0 ? { cpuP95Cores: percentile(e.cpu, 0.95)!, cpuMaxCores: Math.max(...e.cpu) } : {}),
      ...(e.mem > 0 ? { memoryPeakBytes: e.mem } : {}),
      oomKilled: false,
      sharedAgent: false,
    }));
  const core = recommendCore(records, input.current, input.previous, policy);
  return toRecommendationDoc({ kind: 'marathon.app', key: input.appId }, input.current, core, buildRate(records, policy, nowMs), policy, nowMs);
}
