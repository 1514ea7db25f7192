import type { Confidence, RecommendationDoc, Resources, Severity, WorkloadKind } from '../../model/index.js';
import { recommendCore, selectBuilds, type CoreRecommendation } from './core.js';
import type { RecommenderPolicy } from './policy.js';
import type { BuildRecord } from './records.js';
import { DAY_MS, GiB, HOUR_MS } from '../../util/units.js';


/** One workload to size. */
export interface WorkloadInput {
  readonly kind: WorkloadKind;
  readonly key: string;
  /** All known builds (any order); the recommender selects the window itself. */
  readonly builds: readonly BuildRecord[];
  /** What the workload reserves today; defaults to the newest build's request. */
  readonly current?: Resources;
  /** The previous recommendation (for hysteresis); undefined on a first run. */
  readonly previous?: Resources;
  readonly jobName?: string;
  readonly label?: string;
}

/** Confidence by the number of usable builds: `high` ≥ 20, `medium` ≥ 10, else `low`. */
export function confidenceFor(builds: number, policy: RecommenderPolicy): Confidence {
  if (builds >= policy.highConfidenceBuilds) return 'high';
  if (builds >= policy.mediumConfidenceBuilds) return 'medium';
  return 'low';
}

/**
 * KRR-like severity of a change: `critical` when |Δcpu| ≥ 0.5 core or |Δmemory| ≥ 500 MB,
 * `warning` at 0.25 core / 250 MB, otherwise `ok` (thresholds in the policy).
 */
export function severityFor(current: Resources, recommended: Resources, policy: RecommenderPolicy): Severity {
  const s = policy.severity;
  const dc = current.cpu_cores !== undefined && recommended.cpu_cores !== undefined ? Math.abs(current.cpu_cores - recommended.cpu_cores) : 0;
  const dm =
    current.memory_bytes !== undefined && recommended.memory_bytes !== undefined ? Math.abs(current.memory_bytes - recommended.memory_bytes) : 0;
  if (dc >= s.cpuCriticalCores - 1e-9 || dm >= s.memoryCriticalBytes) return 'critical';
  if (dc >= s.cpuWarningCores - 1e-9 || dm >= s.memoryWarningBytes) return 'warning';
  return 'ok';
}

/**
 * Weekly rate of a workload's builds and their mean duration in hours, over the selected builds:
 * rate = builds / observed days × 7, where observed days = time from the oldest build's start to
 * `nowMs`, at least one day and at most the window.
 */
export function buildRate(builds: readonly BuildRecord[], policy: RecommenderPolicy, nowMs: number): { perWeek: number; meanHours: number } {
  if (builds.length === 0) return { perWeek: 0, meanHours: 0 };
  let oldest = Infinity;
  let total = 0;
  for (const b of builds) {
    oldest = Math.min(oldest, b.startMs);
    total += b.durationMs;
  }
  const days = Math.min(policy.windowDays, Math.max(1, (nowMs - oldest) / DAY_MS));
  return { perWeek: (builds.length / days) * 7, meanHours: total / builds.length / HOUR_MS };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Builds the recommendation document from a core result (shared by jobs, labels and Marathon apps). */
export function toRecommendationDoc(
  input: { kind: WorkloadKind; key: string; jobName?: string; label?: string },
  current: Resources,
  core: CoreRecommendation,
  rate: { perWeek: number; meanHours: number },
  policy: RecommenderPolicy,
  nowMs: number,
): RecommendationDoc {
  const recommended: Resources = {
    ...(core.cpu ? { cpu_cores: core.cpu.value } : current.cpu_cores !== undefined ? { cpu_cores: current.cpu_cores } : {}),
    ...(core.memory ? { memory_bytes: core.memory.value } : current.memory_bytes !== undefined ? { memory_bytes: current.memory_bytes } : {}),
  };
  const lower: Resources = {
    ...(core.cpu ? { cpu_cores: core.cpu.lower } : {}),
    ...(core.memory ? { memory_bytes: core.memory.lower } : {}),
  };
  const upper: Resources = {
    ...(core.cpu ? { cpu_cores: core.cpu.upper } : {}),
    ...(core.memory ? { memory_bytes: core.memory.upper } : {}),
  };
  const savings: { cpu_core_hours_per_week?: number; memory_gib_hours_per_week?: number } = {};
  const hoursPerWeek = rate.perWeek * rate.meanHours;
  if (core.cpu && current.cpu_cores !== undefined) savings.cpu_core_hours_per_week = round((current.cpu_cores - core.cpu.value) * hoursPerWeek);
  if (core.memory && current.memory_bytes !== undefined)
    savings.memory_gib_hours_per_week = round(((current.memory_bytes - core.memory.value) / GiB) * hoursPerWeek);
  const jenkins =
    input.kind === 'marathon.app'
      ? undefined
      : { ...(input.jobName !== undefined ? { job: { name: input.jobName } } : {}), ...(input.label !== undefined ? { label: input.label } : {}) };
  return {
    '@timestamp': new Date(nowMs).toISOString(),
    workload: { kind: input.kind, key: input.key },
    ...(jenkins && Object.keys(jenkins).length > 0 ? { jenkins } : {}),
    current,
    recommended: {
      ...recommended,
      ...(Object.keys(lower).length > 0 ? { lower } : {}),
      ...(Object.keys(upper).length > 0 ? { upper } : {}),
    },
    basis: {
      builds: core.builds,
      window_days: policy.windowDays,
      cpu_percentile: policy.cpu.percentile * 100,
      memory_percentile: policy.memory.percentile * 100,
      headroom: policy.cpu.headroom,
    },
    confidence: core.cpu || core.memory ? confidenceFor(core.builds, policy) : 'low',
    reasons: core.reasons,
    ...(Object.keys(savings).length > 0 ? { savings } : {}),
    severity: severityFor(current, recommended, policy),
  };
}

/** Current reservation of a workload: the newest build's request. */
export function currentFromBuilds(newestFirst: readonly BuildRecord[]): Resources {
  const b = newestFirst.find((x) => x.requestCpuCores !== undefined || x.requestMemoryBytes !== undefined);
  if (!b) return {};
  return {
    ...(b.requestCpuCores !== undefined ? { cpu_cores: b.requestCpuCores } : {}),
    ...(b.requestMemoryBytes !== undefined ? { memory_bytes: b.requestMemoryBytes } : {}),
  };
}

/**
 * Recommends CPU and memory for one workload at `nowMs` and returns the recommendation
 * document exactly as data-model.md describes it. Pure.
 */
export function recommendWorkload(input: WorkloadInput, policy: RecommenderPolicy, nowMs: number): RecommendationDoc {
  const selected = selectBuilds(input.builds, policy, nowMs);
  const current =
    input.current ?? currentFromBuilds(selected.length > 0 ? selected : [...input.builds].sort((a, b) => b.endMs - a.endMs));
  const core = recommendCore(selected, current, input.previous, policy);
  const label = input.label ?? selected.find((b) => b.label !== undefined)?.label;
  return toRecommendationDoc(
    { kind: input.kind, key: input.key, ...(input.jobName !== undefined ? { jobName: input.jobName } : {}), ...(label !== undefined ? { label } : {}) },
    current,
    core,
    buildRate(selected, policy, nowMs),
    policy,
    nowMs,
  );
}

/**
 * Groups builds into Jenkins-job workloads (key = job full name, or the PR collapse of
 * {@link workloadKey}) and recommends each. `previous` maps workload key → last recommendation.
 */
export function recommendJobs(
  builds: readonly BuildRecord[],
  policy: RecommenderPolicy,
  nowMs: number,
  previous: ReadonlyMap<string, Resources> = new Map(),
): RecommendationDoc[] {
  const byKey = new Map<string, BuildRecord[]>();
  for (const b of builds) {
    let list = byKey.get(b.key);
    if (!list) byKey.set(b.key, (list = []));
    list.push(b);
  }
  const out: RecommendationDoc[] = [];
  for (const [key, list] of byKey) {
    const prev = previous.get(key);
    out.push(
      recommendWorkload({ kind: 'jenkins.job', key, jobName: key, builds: list, ...(prev ? { previous: prev } : {}) }, policy, nowMs),
    );
  }
  return out;
}
