import type { Confidence, RecommendationDoc, Resources } from '../../model/index.js';
import { severityFor } from '../recommend/workload.js';
import type { RecommenderPolicy } from '../recommend/policy.js';

const ORDER: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

/**
 * What each Jenkins label should reserve given the jobs that use it: the maximum of its jobs'
 * recommendations (so no job gets less than its own recommendation), with `current` the
 * largest current request seen on the label, savings summed over its jobs, confidence the
 * lowest of its jobs and reasons the union. Jobs without a label are ignored.
 */
export function recommendLabels(jobDocs: readonly RecommendationDoc[], policy: RecommenderPolicy, nowMs: number): RecommendationDoc[] {
  const byLabel = new Map<string, RecommendationDoc[]>();
  for (const d of jobDocs) {
    const label = d.jenkins?.label;
    if (d.workload.kind !== 'jenkins.job' || label === undefined) continue;
    const list = byLabel.get(label) ?? [];
    list.push(d);
    byLabel.set(label, list);
  }
  const out: RecommendationDoc[] = [];
  for (const [label, docs] of byLabel) {
    const max = (f: (d: RecommendationDoc) => number | undefined): number | undefined => {
      const vs = docs.map(f).filter((v): v is number => v !== undefined);
      return vs.length === 0 ? undefined : Math.max(...vs);
    };
    const current: Resources = {
      ...(max((d) => d.current.cpu_cores) !== undefined ? { cpu_cores: max((d) => d.current.cpu_cores)! } : {}),
      ...(max((d) => d.current.memory_bytes) !== undefined ? { memory_bytes: max((d) => d.current.memory_bytes)! } : {}),
    };
    const recommended: Resources = {
      ...(max((d) => d.recommended.cpu_cores) !== undefined ? { cpu_cores: max((d) => d.recommended.cpu_cores)! } : {}),
      ...(max((d) => d.recommended.memory_bytes) !== undefined ? { memory_bytes: max((d) => d.recommended.memory_bytes)! } : {}),
    };
    let cpuSav = 0;
    let memSav = 0;
    for (const d of docs) {
      cpuSav += d.savings?.cpu_core_hours_per_week ?? 0;
      memSav += d.savings?.memory_gib_hours_per_week ?? 0;
    }
    const confidence = docs.reduce<Confidence>((c, d) => (ORDER[d.confidence] < ORDER[c] ? d.confidence : c), 'high');
    out.push({
      '@timestamp': new Date(nowMs).toISOString(),
      workload: { kind: 'jenkins.label', key: label },
      jenkins: { label },
      current,
      recommended,
      basis: {
        builds: docs.reduce((s, d) => s + d.basis.builds, 0),
        window_days: policy.windowDays,
        cpu_percentile: policy.cpu.percentile * 100,
        memory_percentile: policy.memory.percentile * 100,
        headroom: policy.cpu.headroom,
      },
      confidence,
      reasons: [...new Set(docs.flatMap((d) => d.reasons))],
      savings: { cpu_core_hours_per_week: Math.round(cpuSav * 1000) / 1000, memory_gib_hours_per_week: Math.round(memSav * 1000) / 1000 },
      severity: severityFor(current, recommended, policy),
    });
  }
  return out;
}
