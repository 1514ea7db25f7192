import type { RecommendationDoc, Resources } from '../../model/index.js';
import { DAY_MS, HOUR_MS } from '../../util/units.js';
import { recommendCore } from './core.js';
import type { RecommenderPolicy } from './policy.js';
import type { BuildRecord } from './records.js';
import { buildRate, toRecommendationDoc } from './workload.js';
import { percentile } from '../stats/weighted.js';

/** The default window a Marathon app's usage is cut into: 1 h. */
export const MARATHON_WINDOW_MS = HOUR_MS;

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
 * One window of a Marathon app's usage, already aggregated (e.g. by Elasticsearch: a
 * `date_histogram` bucket with `percentiles`/`max`). Absent figures were not measured.
 */
export interface AppWindow {
  /** Window start, epoch ms (a multiple of the window length: windows are aligned to the epoch). */
  readonly startMs: number;
  /** p95 of the readings' `cpu.cores` in the window. */
  readonly cpuP95Cores?: number;
  readonly cpuMaxCores?: number;
  /** Largest `memory.working_set_bytes` in the window. */
  readonly memoryPeakBytes?: number;
}

export interface MarathonAppWindowsInput {
  readonly appId: string;
  readonly windows: readonly AppWindow[];
  /** What one instance reserves (the task's `cpus` and `mem` in bytes). */
  readonly current: Resources;
  readonly previous?: Resources;
  /** Length of the windows. @defaultValue 1 h */
  readonly windowMs?: number;
}

const usable = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v) && v >= 0;

/**
 * Sizes a long-running Marathon app from pre-aggregated windows (the Elasticsearch path): each
 * window acts as one "build" (CPU p95 and max, memory peak), so the half-lives count windows
 * (H = 10 h CPU, 20 h memory with the default policy and 1 h windows) and the minimum evidence is
 * 5 windows. Windows that do not overlap [now − windowDays, now] are ignored; the newest
 * `maxBuilds` are used. Kind `marathon.app`, key the app id. Pure.
 *
 * @example 6 windows of p95 0.7 cores, max 0.8, peak 700 MiB, current 1 core / 1 GiB →
 *          CPU 0.7 × 1.15 = 0.805 → 0.9; memory max(700 × 1.2, 700 + 256) = 956 MiB → 1024 MiB
 */
export function recommendMarathonAppFromWindows(input: MarathonAppWindowsInput, policy: RecommenderPolicy, nowMs: number): RecommendationDoc {
  const windowMs = input.windowMs ?? MARATHON_WINDOW_MS;
  const fromMs = nowMs - policy.windowDays * DAY_MS;
  const records: BuildRecord[] = input.windows
    .filter((w) => Number.isFinite(w.startMs) && w.startMs <= nowMs && w.startMs + windowMs > fromMs)
    .sort((a, b) => b.startMs - a.startMs)
    .slice(0, policy.maxBuilds)
    .map((w) => ({
      key: input.appId,
      job: input.appId,
      number: Math.floor(w.startMs / windowMs),
      startMs: w.startMs,
      endMs: w.startMs + windowMs,
      durationMs: windowMs,
      ...(input.current.cpu_cores !== undefined ? { requestCpuCores: input.current.cpu_cores } : {}),
      ...(input.current.memory_bytes !== undefined ? { requestMemoryBytes: input.current.memory_bytes } : {}),
      ...(usable(w.cpuP95Cores) ? { cpuP95Cores: w.cpuP95Cores } : {}),
      ...(usable(w.cpuMaxCores) ? { cpuMaxCores: w.cpuMaxCores } : {}),
      ...(usable(w.memoryPeakBytes) && w.memoryPeakBytes > 0 ? { memoryPeakBytes: w.memoryPeakBytes } : {}),
      oomKilled: false,
      sharedAgent: false,
    }));
  const core = recommendCore(records, input.current, input.previous, policy);
  return toRecommendationDoc({ kind: 'marathon.app', key: input.appId }, input.current, core, buildRate(records, policy, nowMs), policy, nowMs);
}

/**
 * Sizes a long-running Marathon app with the same recommender as builds: its samples are cut
 * into fixed windows (default 1 h) and each window acts as one "build" (CPU p95 and max of the
 * window's samples, memory peak), so the half-lives count windows (H = 10 h CPU, 20 h memory
 * with the default policy) and the minimum evidence is 5 windows. Kind `marathon.app`.
 * (Samples in memory; {@link recommendMarathonAppFromWindows} takes the windows ready-made.)
 */
export function recommendMarathonApp(input: MarathonAppInput, policy: RecommenderPolicy, nowMs: number): RecommendationDoc {
  const windowMs = input.windowMs ?? MARATHON_WINDOW_MS;
  const fromMs = nowMs - policy.windowDays * DAY_MS;
  const windows = new Map<number, { cpu: number[]; mem: number }>();
  for (const s of input.samples) {
    if (s.timestampMs > nowMs || s.timestampMs < fromMs) continue;
    const w = Math.floor(s.timestampMs / windowMs);
    const e = windows.get(w) ?? { cpu: [], mem: 0 };
    if (s.cpuCores !== undefined && Number.isFinite(s.cpuCores)) e.cpu.push(s.cpuCores);
    if (s.memoryBytes !== undefined && Number.isFinite(s.memoryBytes)) e.mem = Math.max(e.mem, s.memoryBytes);
    windows.set(w, e);
  }
  const aggregated: AppWindow[] = [...windows.entries()].map(([w, e]) => ({
    startMs: w * windowMs,
    ...(e.cpu.length > 0 ? { cpuP95Cores: percentile(e.cpu, 0.95)!, cpuMaxCores: Math.max(...e.cpu) } : {}),
    ...(e.mem > 0 ? { memoryPeakBytes: e.mem } : {}),
  }));
  return recommendMarathonAppFromWindows(
    { appId: input.appId, windows: aggregated, current: input.current, ...(input.previous !== undefined ? { previous: input.previous } : {}), windowMs },
    policy,
    nowMs,
  );
}
