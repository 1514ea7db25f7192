import { patchJcasc, type MesosPluginVersion } from './jcasc.js';
import { GiB, MiB } from '../../util/units.js';


/** One job's recommendation as input to label planning. */
export interface PlanJob {
  readonly key: string;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  /** Build-hours per week (build rate × mean duration): the weight of this job in the objective. */
  readonly hoursPerWeek: number;
  /** The label the job uses today, if known. */
  readonly currentLabel?: string;
}

/** A label size of the plan. */
export interface LabelSize {
  readonly name: string;
  readonly cpuCores: number;
  readonly memoryBytes: number;
}

export interface PlanOptions {
  /** At most this many label sizes. @defaultValue 4 */
  readonly k?: number;
  /** Cost of one reserved core-hour in the objective. @defaultValue 1 */
  readonly cpuWeight?: number;
  /**
   * Cost of one reserved GiB-hour in the objective. @defaultValue 0.125 — one core ≈ 8 GiB, the
   * rough ratio of per-vCPU to per-GiB prices of general-purpose cloud instances; pass your prices.
   */
  readonly memoryWeightPerGib?: number;
  /** Evaluate every subset exactly while (#subsets × #distinct job sizes) stays below this. @defaultValue 5e6 */
  readonly exactBudget?: number;
  /** Label name of a size. @defaultValue `rs-<cpu>c-<mem MiB>m` */
  readonly nameOf?: (cpuCores: number, memoryBytes: number) => string;
}

export interface PlanAssignment {
  readonly key: string;
  readonly label: string;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly currentLabel?: string;
}

export interface LabelPlan {
  readonly labels: LabelSize[];
  readonly assignments: PlanAssignment[];
  /** Objective: Σ_jobs hoursPerWeek × (cpuWeight × label cores + memoryWeightPerGib × label GiB). */
  readonly cost: number;
  /** `exact` (all subsets of ≤ k candidate sizes) or `local_search` (greedy + swaps; may be suboptimal). */
  readonly method: 'exact' | 'local_search';
  /** Jobs whose planned label differs from the label they use today. */
  readonly moves: PlanAssignment[];
}

export function defaultLabelName(cpuCores: number, memoryBytes: number): string {
  return `rs-${Number(cpuCores.toPrecision(6))}c-${Math.ceil(memoryBytes / MiB)}m`;
}

interface Group {
  readonly cpu: number;
  readonly mem: number;
  readonly weight: number;
}

interface Cand {
  readonly cpu: number;
  readonly mem: number;
  /** Cost per weighted hour. */
  readonly unit: number;
}

function evaluate(groups: readonly Group[], chosen: readonly Cand[]): number {
  let total = 0;
  for (const g of groups) {
    let best = Infinity;
    for (const c of chosen) if (c.cpu >= g.cpu && c.mem >= g.mem && c.unit < best) best = c.unit;
    if (best === Infinity) return Infinity;
    total += g.weight * best;
  }
  return total;
}

function countSubsets(n: number, k: number): number {
  let total = 0;
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (n - i + 1)) / i;
    total += c;
  }
  return total;
}

/**
 * Proposes at most `k` label sizes and a job → label mapping that minimises the weighted
 * reserved core-hours plus GiB-hours, giving no job less than its recommendation (CPU and
 * memory both covered).
 *
 * Candidates: in an optimal plan every label can shrink to (max cores, max memory) of the jobs
 * it serves, so only pairs of recommended values present among the jobs are candidates (pairs
 * that no job fills tightly in both coordinates are dropped). Each job then takes the cheapest
 * covering label. Small inputs are solved exactly by enumerating every subset of ≤ k candidates;
 * larger ones by greedy construction from the all-covering (max, max) size plus best-improvement
 * swaps (`method: 'local_search'`).
 */
export function planLabels(jobs: readonly PlanJob[], options: PlanOptions = {}): LabelPlan {
  const k = Math.max(1, options.k ?? 4);
  const wc = options.cpuWeight ?? 1;
  const wm = options.memoryWeightPerGib ?? 0.125;
  const nameOf = options.nameOf ?? defaultLabelName;
  const unitOf = (cpu: number, mem: number): number => wc * cpu + (wm * mem) / GiB;
  if (jobs.length === 0) return { labels: [], assignments: [], cost: 0, method: 'exact', moves: [] };

  const gmap = new Map<string, { cpu: number; mem: number; weight: number }>();
  for (const j of jobs) {
    const id = `${j.cpuCores}|${j.memoryBytes}`;
    const g = gmap.get(id) ?? { cpu: j.cpuCores, mem: j.memoryBytes, weight: 0 };
    // A tiny weight keeps zero-rate jobs covered without letting them dominate.
    g.weight += Math.max(j.hoursPerWeek, 1e-9);
    gmap.set(id, g);
  }
  const groups: Group[] = [...gmap.values()];
  const cpus = [...new Set(groups.map((g) => g.cpu))].sort((a, b) => a - b);
  const mems = [...new Set(groups.map((g) => g.mem))].sort((a, b) => a - b);
  const cands: Cand[] = [];
  for (const c of cpus)
    for (const m of mems) {
      const tightCpu = groups.some((g) => g.cpu === c && g.mem <= m);
      const tightMem = groups.some((g) => g.mem === m && g.cpu <= c);
      if (tightCpu && tightMem) cands.push({ cpu: c, mem: m, unit: unitOf(c, m) });
    }

  let best: Cand[] = [];
  let bestCost = Infinity;
  let method: LabelPlan['method'] = 'exact';
  const kk = Math.min(k, cands.length);
  if (countSubsets(cands.length, kk) * groups.length <= (options.exactBudget ?? 5e6)) {
    const pick: Cand[] = [];
    const rec = (start: number): void => {
      if (pick.length > 0) {
        const c = evaluate(groups, pick);
        if (c < bestCost - 1e-12) {
          bestCost = c;
          best = [...pick];
        }
      }
      if (pick.length === kk) return;
      for (let i = start; i < cands.length; i++) {
        pick.push(cands[i]!);
        rec(i + 1);
        pick.pop();
      }
    };
    rec(0);
  } else {
    method = 'local_search';
    const maxC = cpus[cpus.length - 1]!;
    const maxM = mems[mems.length - 1]!;
    best = [cands.find((c) => c.cpu === maxC && c.mem === maxM) ?? { cpu: maxC, mem: maxM, unit: unitOf(maxC, maxM) }];
    bestCost = evaluate(groups, best);
    while (best.length < kk) {
      let add: Cand | undefined;
      let addCost = bestCost;
      for (const c of cands) {
        const v = evaluate(groups, [...best, c]);
        if (v < addCost - 1e-12) {
          addCost = v;
          add = c;
        }
      }
      if (!add) break;
      best = [...best, add];
      bestCost = addCost;
    }
    for (let round = 0; round < 50; round++) {
      let improved = false;
      for (let i = 0; i < best.length; i++)
        for (const c of cands) {
          const trial = best.map((b, j) => (j === i ? c : b));
          const v = evaluate(groups, trial);
          if (v < bestCost - 1e-12) {
            best = trial;
            bestCost = v;
            improved = true;
          }
        }
      if (!improved) break;
    }
  }

  // Drop sizes no job uses, then assign.
  const assignments: PlanAssignment[] = [];
  const used = new Set<Cand>();
  for (const j of jobs) {
    let bc: Cand | undefined;
    for (const c of best) if (c.cpu >= j.cpuCores && c.mem >= j.memoryBytes && (bc === undefined || c.unit < bc.unit)) bc = c;
    // bc always exists: the chosen set is feasible by construction.
    const c = bc!;
    used.add(c);
    assignments.push({
      key: j.key,
      label: nameOf(c.cpu, c.mem),
      cpuCores: c.cpu,
      memoryBytes: c.mem,
      ...(j.currentLabel !== undefined ? { currentLabel: j.currentLabel } : {}),
    });
  }
  const labels = best
    .filter((c) => used.has(c))
    .sort((a, b) => a.unit - b.unit)
    .map((c) => ({ name: nameOf(c.cpu, c.mem), cpuCores: c.cpu, memoryBytes: c.mem }));
  return { labels, assignments, cost: bestCost, method, moves: assignments.filter((a) => a.currentLabel !== a.label) };
}

/**
 * The plan as a bare mesos-plugin cloud (`jenkins.clouds[0].mesos` with only the planned
 * templates) for `version` (see jcasc.ts: the sizes written subtract the plugin's own overhead).
 * Merge it into your cloud, or give your JCasC to {@link patchJcasc} to get it patched.
 */
export function planToJcascYaml(plan: LabelPlan, version: MesosPluginVersion = '1'): string {
  return patchJcasc(undefined, plan, version).yaml;
}
