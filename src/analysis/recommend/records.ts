import type { BuildDoc, BuildFacts } from '../../model/index.js';

/**
 * The per-build facts the recommender and the replay need, flattened from a {@link BuildDoc}.
 * Unmeasured values are undefined, never 0.
 */
export interface BuildRecord extends BuildFacts {
  /** Workload key (job full name, or `<parent>/PR-*` when branch kinds are split). */
  readonly key: string;
}

const PR_BRANCH = /^(.*)\/(PR-\d+)$/;

/**
 * Workload key of a job. With `splitBranchKind`, multibranch pull-request jobs
 * (`team/repo/PR-123`) collapse into one workload `team/repo/PR-*`; other branches keep their
 * full name (so `team/repo/main` and the PRs of `team/repo` are sized separately).
 */
export function workloadKey(jobFullName: string, splitBranchKind: boolean): string {
  if (!splitBranchKind) return jobFullName;
  const m = PR_BRANCH.exec(jobFullName);
  return m ? `${m[1]}/PR-*` : jobFullName;
}

/** Flattens a build document. */
export function toBuildRecord(doc: BuildDoc, splitBranchKind = false): BuildRecord {
  const cpu = doc.usage?.cpu;
  const mem = doc.usage?.memory;
  return {
    key: workloadKey(doc.jenkins.job.name, splitBranchKind),
    job: doc.jenkins.job.name,
    number: doc.jenkins.build.number,
    label: doc.jenkins.label,
    startMs: doc.build.start,
    endMs: doc.build.end,
    durationMs: doc.build.duration_ms,
    result: doc.jenkins.result,
    requestCpuCores: doc.request?.cpu_cores,
    requestMemoryBytes: doc.request?.memory_bytes,
    cpuAvgCores: cpu?.avg_cores,
    cpuP50Cores: cpu?.p50_cores,
    cpuP95Cores: cpu?.p95_cores,
    cpuMaxCores: cpu?.max_cores,
    cpuCoreSeconds: cpu?.core_seconds,
    throttledRatio: cpu?.throttled_ratio,
    memoryAvgBytes: mem?.avg_bytes,
    memoryPeakBytes: mem?.peak_bytes,
    sampleCount: doc.usage?.sample_count,
    oomKilled: doc.outcome?.oom_killed === true,
    sharedAgent: doc.usage?.shared_agent === true,
  };
}
