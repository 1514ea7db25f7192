import type { RecommendationDoc, Resources } from '../model/index.js';
import { planLabels, type LabelPlan, type PlanJob } from './labels/plan.js';
import { recommendLabels } from './labels/labels.js';
import type { RecommenderPolicy } from './recommend/policy.js';
import type { BuildRecord } from './recommend/records.js';
import { buildRate, recommendWorkload } from './recommend/workload.js';
import { selectBuilds } from './recommend/core.js';
import { computeWaste, type Prices, type WasteResult } from './waste/waste.js';

export interface AnalyzeOptions {
  readonly policy: RecommenderPolicy;
  readonly nowMs: number;
  /** Previous recommendation per workload key (hysteresis), e.g. from the recommendations index. */
  readonly previous?: ReadonlyMap<string, Resources>;
  /** Also plan at most this many label sizes. */
  readonly planK?: number;
  readonly prices?: Prices;
}

export interface AnalysisResult {
  readonly jobs: RecommendationDoc[];
  readonly labels: RecommendationDoc[];
  readonly waste: WasteResult;
  readonly plan?: LabelPlan;
}

/**
 * Everything `rightsize analyze` computes, from build records (keys already set by
 * `toBuildRecord`): per-job and per-label recommendation documents, weekly waste, and optionally
 * a label plan. The one pure entry point both the offline (`--from`) and the Elasticsearch path
 * feed.
 */
export function analyzeBuilds(records: readonly BuildRecord[], options: AnalyzeOptions): AnalysisResult {
  const { policy, nowMs } = options;
  const byKey = new Map<string, BuildRecord[]>();
  for (const r of records) {
    let list = byKey.get(r.key);
    if (!list) byKey.set(r.key, (list = []));
    list.push(r);
  }
  const jobs: RecommendationDoc[] = [];
  const planJobs: PlanJob[] = [];
  for (const [key, list] of byKey) {
    const prev = options.previous?.get(key);
    const doc = recommendWorkload({ kind: 'jenkins.job', key, jobName: key, builds: list, ...(prev ? { previous: prev } : {}) }, policy, nowMs);
    jobs.push(doc);
    if (options.planK !== undefined && doc.recommended.cpu_cores !== undefined && doc.recommended.memory_bytes !== undefined) {
      const rate = buildRate(selectBuilds(list, policy, nowMs), policy, nowMs);
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
    jobs,
    labels: recommendLabels(jobs, policy, nowMs),
    waste: computeWaste(records, options.prices),
    ...(options.planK !== undefined ? { plan: planLabels(planJobs, { k: options.planK }) } : {}),
  };
}
