import type { BuildFacts } from '../../model/index.js';

/**
 * The one definition of a censored build, shared by the recommender (memory: an OOM-killed build
 * enters the signal at its censored need; CPU: a recent starved build sets a probe above its limit
 * and holds the request) and the replay (which counts them): a build
 * whose observed usage is only a lower bound of its need because its allocation stopped it.
 */
export interface CensorThresholds {
  /** Throttled CFS periods / all periods above this → CPU-starved. @defaultValue 0.05 */
  readonly throttledRatioCensor: number;
  /** Without a throttled ratio: the build's p95 CPU ≥ this × its CPU request → CPU-starved. @defaultValue 0.95 */
  readonly cpuP95NearLimit: number;
}

/**
 * CPU-starved: the kernel's own throttled ratio when the build has one (above
 * `throttledRatioCensor`); otherwise its **p95** reached `cpuP95NearLimit` × its request, i.e. it
 * sat at its limit for at least 5 % of its samples. The max is never used: one noisy sample at the
 * top of a build (a 5-minute average above the VM's nominal capacity, a scrape hiccup) said
 * "starved" for 7.9 % of the Bitbrains builds.
 */
export function isCpuCensored(b: BuildFacts, t: CensorThresholds): boolean {
  if (b.throttledRatio !== undefined) return b.throttledRatio > t.throttledRatioCensor;
  return b.requestCpuCores !== undefined && b.cpuP95Cores !== undefined && b.cpuP95Cores >= t.cpuP95NearLimit * b.requestCpuCores;
}

/** Memory-censored: the build was OOM-killed, so its recorded peak is only a lower bound. */
export function isMemoryCensored(b: BuildFacts): boolean {
  return b.oomKilled;
}

/** Censored in either resource (what the replay's `censoredBuilds` counts). */
export function isCensored(b: BuildFacts, t: CensorThresholds): boolean {
  return isMemoryCensored(b) || isCpuCensored(b, t);
}
