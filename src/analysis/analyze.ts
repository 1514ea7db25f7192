import type { RecommendationDoc, Resources } from '../model/index.js';
import { planLabels, type LabelPlan, type PlanJob } from './labels/plan.js';
import { recommendLabels } from './labels/labels.js';
import type { RecommenderPolicy } from './recommend/policy.js';
import { DAY_MS } from '../util/units.js';
import type { BuildRecord } from './recommend/records.js';
import { buildRate, currentFromBuilds } from './recommend/workload.js';
import { selectBuilds } from './recommend/core.js';
import { WasteAccumulator, type Prices, type WasteResult } from './waste/waste.js';
import { recommendWithOverride, type ExcludedWorkload, type OverrideSet } from './overrides.js';

export interface AnalyzeOptions {
  readonly policy: RecommenderPolicy;
  readonly nowMs: number;
  /** Previous recommendation per workload key (hysteresis), e.g. from the recommendations index. */
  readonly previous?: ReadonlyMap<string, Resources>;
  /** Also plan at most this many label sizes. */
  readonly planK?: number;
  readonly prices?: Prices;
  /** `analysis.overrides`: per-job exclusions, pins and knobs (first match wins). */
  readonly overrides?: OverrideSet;
}

export interface AnalysisResult {
  readonly jobs: RecommendationDoc[];
  readonly labels: RecommendationDoc[];
  readonly waste: WasteResult;
  readonly plan?: LabelPlan;
  /** Jobs an override excluded: absent from `jobs`, `labels` and `plan`. */
  readonly excluded: ExcludedWorkload[];
}

/** Per workload: the builds a recommendation at `nowMs` may still use, and the newest build with a request. */
interface WorkloadBuilds {
  /** Usable builds (not aborted), ended at or before `nowMs` when it is known; trimmed to the newest `maxBuilds`. */
  kept: BuildRecord[];
  /** The newest build (by end; the first one read among equal ends) that carries a request: today's reservation when none is usable. */
  latestWithRequest?: BuildRecord;
}

const UNUSABLE_RESULTS = new Set(['ABORTED', 'NOT_BUILT']);
/** Builds kept above `maxBuilds` before a trim (amortises the sort); the trim also drops builds that left the window. */
const TRIM_SLACK = 32;

function newestFirst(a: BuildRecord, b: BuildRecord): number {
  return b.endMs - a.endMs || b.number - a.number;
}

/**
 * `analyzeBuilds` fed one build at a time, with memory bounded by the number of workloads, not
 * builds: per workload it keeps only the newest `maxBuilds` usable builds inside the window (all a
 * recommendation reads, see `selectBuilds`) and the newest build with a request; the weekly waste is summed as
 * builds arrive. `nowMs` absent means "the newest build end read" (the offline default), decided at
 * {@link finish}. Workloads come out in the order they first appear.
 */
export class BuildStreamAnalysis {
  private readonly byKey = new Map<string, WorkloadBuilds>();
  private readonly waste = new WasteAccumulator();
  private maxEndMs = Number.NEGATIVE_INFINITY;
  private readonly windowMs: number;

  constructor(
    private readonly policy: RecommenderPolicy,
    private readonly nowMs?: number,
  ) {
    this.windowMs = policy.windowDays * DAY_MS;
  }

  /** The newest build end read so far (−Infinity before the first build). */
  get newestEndMs(): number {
    return this.maxEndMs;
  }

  add(r: BuildRecord): void {
    this.waste.add(r);
    if (r.endMs > this.maxEndMs) this.maxEndMs = r.endMs;
    let w = this.byKey.get(r.key);
    if (!w) this.byKey.set(r.key, (w = { kept: [] }));
    if ((r.requestCpuCores !== undefined || r.requestMemoryBytes !== undefined) && (w.latestWithRequest === undefined || r.endMs > w.latestWithRequest.endMs))
      w.latestWithRequest = r;
    if (UNUSABLE_RESULTS.has(r.result ?? '') || (this.nowMs !== undefined && r.endMs > this.nowMs)) return;
    // A build that ended before the window of the newest end read so far can never be selected:
    // the final `now` is at least that end (or the given `nowMs`).
    const fromMs = (this.nowMs ?? this.maxEndMs) - this.windowMs;
    if (r.endMs < fromMs) return;
    w.kept.push(r);
    if (w.kept.length > this.policy.maxBuilds + TRIM_SLACK)
      w.kept = w.kept
        .filter((b) => b.endMs >= fromMs)
        .sort(newestFirst)
        .slice(0, this.policy.maxBuilds);
  }

  /** The recommendations, label documents, waste and (with `planK`) the label plan, as of `nowMs` (default: the newest build end). */
  finish(options: Omit<AnalyzeOptions, 'policy' | 'nowMs'> = {}): AnalysisResult & { readonly nowMs: number } {
    const { policy } = this;
    const nowMs = this.nowMs ?? this.maxEndMs;
    const jobs: RecommendationDoc[] = [];
    const planJobs: PlanJob[] = [];
    const excluded: ExcludedWorkload[] = [];
    for (const [key, w] of this.byKey) {
      const prev = options.previous?.get(key);
      const selected = selectBuilds(w.kept, policy, nowMs);
      const override = options.overrides?.match(key, selected.find((b) => b.label !== undefined)?.label ?? w.latestWithRequest?.label);
      if (override?.exclude === true) {
        excluded.push({ key, override: override.id });
        continue;
      }
      const current = currentFromBuilds(selected.length > 0 ? selected : w.latestWithRequest !== undefined ? [w.latestWithRequest] : []);
      const doc = recommendWithOverride({ kind: 'jenkins.job', key, jobName: key, builds: selected, current, ...(prev ? { previous: prev } : {}) }, policy, override, nowMs);
      jobs.push(doc);
      if (options.planK !== undefined && doc.recommended.cpu_cores !== undefined && doc.recommended.memory_bytes !== undefined) {
        const rate = buildRate(selected, policy, nowMs);
        planJobs.push({
          key,
          cpuCores: doc.recommended.cpu_cores,
          memoryBytes: doc.recommended.memory_bytes,
          hoursPerWeek: rate.perWeek * rate.meanHours,
          ...(doc.jenkins?.label !== undefined ? { currentLabel: doc.jenkins.label } : {}),
        });
      }
    }
    return {
      nowMs,
      jobs,
      labels: recommendLabels(jobs, policy, nowMs),
      waste: this.waste.result(options.prices),
      ...(options.planK !== undefined ? { plan: planLabels(planJobs, { k: options.planK }) } : {}),
      excluded,
    };
  }
}

/**
 * Everything `rightsize analyze` computes, from build records (keys already set by
 * `toBuildRecord`): per-job and per-label recommendation documents, weekly waste, and optionally
 * a label plan. The one pure entry point both the offline (`--from`) and the Elasticsearch path
 * feed (through {@link BuildStreamAnalysis}, which reads builds one at a time).
 */
export function analyzeBuilds(records: readonly BuildRecord[], options: AnalyzeOptions): AnalysisResult {
  const stream = new BuildStreamAnalysis(options.policy, options.nowMs);
  for (const r of records) stream.add(r);
  const { nowMs: _nowMs, ...result } = stream.finish(options);
  return result;
}
