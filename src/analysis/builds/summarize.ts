import type { BuildDoc } from '../../model/index.js';
import type { BuildUsageAggregation, DatasetUsage, SampleSpan } from '../../model/index.js';

/**
 * What the build summary needs to know about a finished build. The Jenkins collector's
 * `FinishedBuild` has this shape (declared here so analysis does not depend on collectors).
 */
export interface FinishedBuildInfo {
  readonly jenkinsUrl?: string;
  readonly jobName: string;
  readonly number: number;
  readonly url?: string;
  readonly result?: string;
  /** `""` is the built-in node. */
  readonly builtOn?: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly endMs: number;
  readonly queue?: { readonly waitMs?: number; readonly buildableMs?: number };
  readonly label?: string;
  /** The node an executor snapshot saw the build on (Pipeline runs have no `builtOn`). */
  readonly nodeName?: string;
}

/** What the Mesos task of the build's node asked for (`resources.cpus`, `resources.mem` in bytes). */
export interface TaskRequest {
  readonly cpus?: number;
  readonly memBytes?: number;
}

/** The node a build ran on, or undefined (built-in node, unknown). */
export function buildNode(build: FinishedBuildInfo): string | undefined {
  if (build.builtOn !== undefined && build.builtOn !== '') return build.builtOn;
  return build.nodeName !== undefined && build.nodeName !== '' ? build.nodeName : undefined;
}

/** Share of the memory limit at which a failed build's peak counts as an OOM kill. */
export const OOM_PEAK_FRACTION = 0.95;

/** Dataset preference on a tie: Docker readings name the build itself. */
const DATASET_RANK: Readonly<Record<string, number>> = { 'docker.container': 0, 'mesos.executor': 1 };

/**
 * The dataset whose readings cover the build best: most covered time (Σ `cpu.interval_ms`),
 * then most readings, then Docker before Mesos. One container measured by both the Docker
 * engine and the Mesos agent must not be counted twice, so only one dataset is used.
 */
export function pickDataset(datasets: readonly DatasetUsage[]): DatasetUsage | undefined {
  let best: DatasetUsage | undefined;
  const rank = (d: DatasetUsage): number => DATASET_RANK[d.dataset] ?? 9;
  for (const d of datasets) {
    if (d.samples <= 0) continue;
    if (
      best === undefined ||
      d.intervalMsSum > best.intervalMsSum ||
      (d.intervalMsSum === best.intervalMsSum && (d.samples > best.samples || (d.samples === best.samples && rank(d) < rank(best))))
    ) {
      best = d;
    }
  }
  return best;
}

/** True when spans `a` and `b` share more than `slackMs` of time. */
function overlaps(a: { firstMs: number; lastMs: number }, b: { firstMs: number; lastMs: number }, slackMs: number): boolean {
  return Math.min(a.lastMs, b.lastMs) - Math.max(a.firstMs, b.firstMs) > slackMs;
}

/** Another finished build that Jenkins reported on the same node. */
export interface BuildSpan {
  /** `<job>#<number>`. */
  readonly key: string;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Whether another build used the same container (node) while this one ran:
 * - another build's readings named this build's node during the build, or
 * - two containers of the chosen dataset were read at overlapping times, or
 * - Jenkins reported another build on the same node whose run overlapped this one (a
 *   multi-executor mesos-plugin agent: Mesos executor readings cannot tell the builds apart).
 * A reading's timestamp ends its window, so spans that touch by less than `slackMs` (one poll
 * interval: the previous build's last reading, the next build's first) are not an overlap.
 */
export function sharedAgent(
  build: Pick<FinishedBuildInfo, 'jobName' | 'number' | 'startMs' | 'endMs'>,
  chosen: DatasetUsage | undefined,
  nodeBuilds: readonly SampleSpan[],
  slackMs: number,
  otherBuildsOnNode: readonly BuildSpan[] = [],
): boolean {
  const self = `${build.jobName}#${build.number}`;
  const during = { firstMs: build.startMs, lastMs: build.endMs };
  if (nodeBuilds.some((b) => b.key !== self && overlaps(b, during, slackMs))) return true;
  // Jenkins' own times are exact: any real overlap counts.
  if (otherBuildsOnNode.some((b) => b.key !== self && overlaps({ firstMs: b.startMs, lastMs: b.endMs }, during, 0))) return true;
  const containers = chosen?.containers ?? [];
  for (let i = 0; i < containers.length; i++) {
    for (let j = i + 1; j < containers.length; j++) if (overlaps(containers[i]!, containers[j]!, slackMs)) return true;
  }
  return false;
}

/** Input of {@link summarizeBuild}. */
export interface SummarizeInput {
  readonly build: FinishedBuildInfo;
  /** The aggregation over the build's container readings (see `searchBuildUsage`). */
  readonly usage: BuildUsageAggregation;
  /** The Mesos task of the build's node, when the master state listed it. */
  readonly request?: TaskRequest;
  /** The longest container poll interval, ms: slack for overlaps. */
  readonly pollIntervalMs: number;
  /** Other builds Jenkins reported on the same node (finished ones the caller knows of). */
  readonly otherBuildsOnNode?: readonly BuildSpan[];
}

const round = (v: number): number => Math.round(v);

/**
 * One `builds` document (docs/data-model.md) from a finished build, the aggregation over its
 * readings and its Mesos task's request. MUST be pure.
 *
 * - `usage.cpu.avg_cores` is time-weighted: Σ core-seconds / Σ interval (the plain mean of the
 *   readings when they lack `cpu.core_seconds`); `p50`/`p95`/`max` are over the readings.
 * - `usage.cpu.core_seconds` = Σ `cpu.core_seconds` of the readings (measured, not extrapolated);
 *   for readings written before that field existed it is approximated as avg × Σ interval.
 * - `usage.coverage` = Σ `cpu.interval_ms` / duration, capped at 1. A container's first reading
 *   has no CPU figure, so a build polled every 10 s for 60 s has coverage ≈ 5/6.
 * - `usage.cpu.throttled_ratio` = Σ throttled ms / Σ interval ms: throttled share of the measured
 *   time (= throttled time / duration when coverage is 1).
 * - `usage.memory.avg_bytes` = mean working set; `peak_bytes` = max of the working set and
 *   `memory.peak_bytes` (the cgroup high-water mark between readings).
 * - `outcome.oom_killed`: from the Docker engine when the collector saw the build's container
 *   exit (its final document's `container.oom_killed`: Docker's `oom` event or
 *   `State.OOMKilled`), whatever the result (the OOM killer may hit a child process and the
 *   build go on). Otherwise inferred, because Mesos' `/master/state` does not carry a status
 *   `reason` (its `json(TaskStatus)` writes state, timestamp, labels, container_status,
 *   healthy), so `REASON_CONTAINER_LIMITATION_MEMORY` is not visible there: a `FAILURE` whose
 *   peak reached {@link OOM_PEAK_FRACTION} of the memory limit (the readings' limit, else the
 *   request). Any other result → false; a failure without a measured peak → absent.
 * - `waste.cpu_core_seconds` = request × duration − used core-seconds, where the used figure is
 *   the measured core-seconds scaled to the whole duration (÷ coverage) so that unmeasured
 *   seconds do not count as waste. `waste.memory_byte_seconds` = (request − avg working set) ×
 *   duration in s. Both are clamped at 0 and absent when either side is unknown.
 *
 * @example a 100 s build of a 2-cpu / 2 GiB task, readings covering 90 s with 45 core-seconds
 *   and an average working set of 200 MiB → avg_cores 0.5, coverage 0.9,
 *   waste.cpu_core_seconds = 2 × 100 − 45 / 0.9 = 150,
 *   waste.memory_byte_seconds = (2048 − 200) MiB × 100 s.
 */
export function summarizeBuild(input: SummarizeInput): BuildDoc {
  const { build, usage, request } = input;
  const durationMs = Math.max(0, round(build.durationMs));
  const node = buildNode(build);
  const chosen = pickDataset(usage.datasets);

  const cpu: Record<string, number> = {};
  let coreSeconds: number | undefined;
  let coverageRaw = 0;
  if (chosen !== undefined && chosen.cpuSamples > 0) {
    const allCarry = chosen.coreSecondsSamples >= chosen.cpuSamples;
    coreSeconds = allCarry ? chosen.coreSecondsSum : chosen.coresAvg !== undefined ? (chosen.coresAvg * chosen.intervalMsSum) / 1000 : undefined;
    const avg = allCarry && chosen.intervalMsSum > 0 ? chosen.coreSecondsSum / (chosen.intervalMsSum / 1000) : chosen.coresAvg;
    if (avg !== undefined) cpu['avg_cores'] = avg;
    if (chosen.coresP50 !== undefined) cpu['p50_cores'] = chosen.coresP50;
    if (chosen.coresP95 !== undefined) cpu['p95_cores'] = chosen.coresP95;
    if (chosen.coresMax !== undefined) cpu['max_cores'] = chosen.coresMax;
    if (coreSeconds !== undefined) cpu['core_seconds'] = coreSeconds;
    if (chosen.throttledMsSum !== undefined && chosen.intervalMsSum > 0) cpu['throttled_ratio'] = chosen.throttledMsSum / chosen.intervalMsSum;
  }
  if (chosen !== undefined) coverageRaw = durationMs > 0 ? Math.min(1, chosen.intervalMsSum / durationMs) : chosen.cpuSamples > 0 ? 1 : 0;

  const memory: Record<string, number> = {};
  const peak = [chosen?.workingSetMaxBytes, chosen?.peakMaxBytes].filter((v): v is number => v !== undefined);
  if (chosen?.workingSetAvgBytes !== undefined) memory['avg_bytes'] = round(chosen.workingSetAvgBytes);
  if (peak.length > 0) memory['peak_bytes'] = round(Math.max(...peak));

  const shared = sharedAgent(build, chosen, usage.nodeBuilds, input.pollIntervalMs, input.otherBuildsOnNode);
  const usagePart: NonNullable<BuildDoc['usage']> = {
    ...(Object.keys(cpu).length > 0 ? { cpu } : {}),
    ...(Object.keys(memory).length > 0 ? { memory } : {}),
    sample_count: chosen?.samples ?? 0,
    coverage: coverageRaw,
    shared_agent: shared,
  };

  const requestPart: Record<string, number> = {};
  if (request?.cpus !== undefined && Number.isFinite(request.cpus)) requestPart['cpu_cores'] = request.cpus;
  if (request?.memBytes !== undefined && Number.isFinite(request.memBytes)) requestPart['memory_bytes'] = round(request.memBytes);

  let oomKilled: boolean | undefined;
  const exitReports = usage.datasets.filter((d) => d.oomKilled !== undefined);
  if (exitReports.length > 0) {
    // The engine saw the container exit and says whether the OOM killer struck: believe it.
    oomKilled = exitReports.some((d) => d.oomKilled === true);
  } else if (build.result !== undefined) {
    if (build.result !== 'FAILURE') oomKilled = false;
    else {
      const limit = chosen?.memoryLimitMaxBytes ?? request?.memBytes;
      const peakBytes = memory['peak_bytes'];
      if (limit !== undefined && limit > 0 && peakBytes !== undefined) oomKilled = peakBytes >= OOM_PEAK_FRACTION * limit;
    }
  }

  const waste: Record<string, number> = {};
  const durationS = durationMs / 1000;
  if (requestPart['cpu_cores'] !== undefined && coreSeconds !== undefined && coverageRaw > 0) {
    waste['cpu_core_seconds'] = Math.max(0, requestPart['cpu_cores'] * durationS - coreSeconds / coverageRaw);
  }
  if (requestPart['memory_bytes'] !== undefined && memory['avg_bytes'] !== undefined) {
    waste['memory_byte_seconds'] = Math.max(0, (requestPart['memory_bytes'] - memory['avg_bytes']) * durationS);
  }

  const queue: Record<string, number> = {};
  if (build.queue?.waitMs !== undefined && Number.isFinite(build.queue.waitMs) && build.queue.waitMs >= 0) queue['wait_ms'] = round(build.queue.waitMs);
  if (build.queue?.buildableMs !== undefined && Number.isFinite(build.queue.buildableMs) && build.queue.buildableMs >= 0) queue['buildable_ms'] = round(build.queue.buildableMs);

  return {
    '@timestamp': new Date(build.endMs).toISOString(),
    jenkins: {
      ...(build.jenkinsUrl !== undefined ? { url: build.jenkinsUrl } : {}),
      job: { name: build.jobName },
      build: { number: build.number, ...(build.url !== undefined ? { url: build.url } : {}) },
      ...(build.result !== undefined ? { result: build.result } : {}),
      ...(build.label !== undefined ? { label: build.label } : {}),
      ...(node !== undefined ? { node: { name: node } } : {}),
    },
    build: { start: build.startMs, end: build.endMs, duration_ms: durationMs },
    ...(Object.keys(queue).length > 0 ? { queue } : {}),
    ...(Object.keys(requestPart).length > 0 ? { request: requestPart } : {}),
    usage: usagePart,
    ...(oomKilled !== undefined ? { outcome: { oom_killed: oomKilled } } : {}),
    ...(Object.keys(waste).length > 0 ? { waste } : {}),
  };
}
