import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, formatCsv, formatTable, planLabels, planToJcascYaml, recommendLabels, recommendMarathonApp, recommendWorkload, type PlanJob } from '../../../src/analysis/index.js';
import { GiB, HOUR, MiB, NOW, builds } from './helpers.js';

/** Independent brute force: every assignment of jobs to ≤ k sizes, sizes = (max cpu, max mem) of their jobs. */
function bruteForce(jobs: readonly PlanJob[], k: number, wm: number): number {
  let best = Infinity;
  const assign = new Array<number>(jobs.length).fill(0);
  const rec = (i: number): void => {
    if (i === jobs.length) {
      const groups = new Map<number, { c: number; m: number; h: number }>();
      for (const [j, g] of assign.entries()) {
        const e = groups.get(g) ?? { c: 0, m: 0, h: 0 };
        e.c = Math.max(e.c, jobs[j]!.cpuCores);
        e.m = Math.max(e.m, jobs[j]!.memoryBytes);
        e.h += jobs[j]!.hoursPerWeek;
        groups.set(g, e);
      }
      let cost = 0;
      for (const e of groups.values()) cost += e.h * (e.c + (wm * e.m) / GiB);
      best = Math.min(best, cost);
      return;
    }
    for (let g = 0; g < k; g++) {
      assign[i] = g;
      rec(i + 1);
    }
  };
  rec(0);
  return best;
}

describe('label planning', () => {
  const jobs: PlanJob[] = [
    { key: 'a', cpuCores: 0.5, memoryBytes: 1 * GiB, hoursPerWeek: 40 },
    { key: 'b', cpuCores: 0.6, memoryBytes: 1.5 * GiB, hoursPerWeek: 10 },
    { key: 'c', cpuCores: 2, memoryBytes: 2 * GiB, hoursPerWeek: 5 },
    { key: 'd', cpuCores: 1, memoryBytes: 8 * GiB, hoursPerWeek: 8 },
    { key: 'e', cpuCores: 4, memoryBytes: 6 * GiB, hoursPerWeek: 2 },
    { key: 'f', cpuCores: 0.3, memoryBytes: 512 * MiB, hoursPerWeek: 60, currentLabel: 'rs-0.3c-512m' },
  ];

  it('k = 1 reserves the all-covering size for everyone', () => {
    const plan = planLabels(jobs, { k: 1 });
    expect(plan.labels).toEqual([{ name: 'rs-4c-8192m', cpuCores: 4, memoryBytes: 8 * GiB }]);
    // Σh = 125 → 125 × (4 + 0.125 × 8)
    expect(plan.cost).toBeCloseTo(125 * 5, 9);
  });
  it('is optimal on a small case (checked by brute force over all assignments)', () => {
    for (const k of [2, 3, 4]) {
      for (const wm of [0.125, 1]) {
        const plan = planLabels(jobs, { k, memoryWeightPerGib: wm });
        expect(plan.method).toBe('exact');
        expect(plan.cost).toBeCloseTo(bruteForce(jobs, k, wm), 9);
      }
    }
  });
  it('local search stays feasible and close on the same case', () => {
    const exact = planLabels(jobs, { k: 3 });
    const local = planLabels(jobs, { k: 3, exactBudget: 0 });
    expect(local.method).toBe('local_search');
    expect(local.cost).toBeGreaterThanOrEqual(exact.cost - 1e-9);
    expect(local.cost).toBeLessThanOrEqual(exact.cost * 1.05);
  });
  it('lists the jobs to move and emits mesos-plugin JCasC', () => {
    const plan = planLabels(jobs, { k: 4 });
    expect(plan.moves.map((m) => m.key)).not.toContain('f');
    expect(plan.moves.length).toBe(5);
    const doc = parse(planToJcascYaml(plan, '2')) as {
      jenkins: { clouds: Array<{ mesos: { mesosAgentSpecTemplates: Array<Record<string, unknown>> } }> };
    };
    const t = doc.jenkins.clouds[0]!.mesos.mesosAgentSpecTemplates;
    expect(t).toHaveLength(plan.labels.length);
    // 2.x asks Mesos for mem + 32 MB: 480 + 32 = the planned 512 MiB.
    expect(t[0]).toMatchObject({ label: 'rs-0.3c-512m', cpus: '0.3', mem: '480', mode: 'EXCLUSIVE', maxExecutors: 1 });
  });
});

describe('label recommendations', () => {
  it('a label reserves the max of its jobs and sums their savings', () => {
    const small = recommendWorkload({ kind: 'jenkins.job', key: 's', jobName: 's', label: 'medium', builds: builds(12) }, DEFAULT_POLICY, NOW);
    const bigger = recommendWorkload(
      { kind: 'jenkins.job', key: 'b', jobName: 'b', label: 'medium', builds: builds(12, () => ({ cpuP95Cores: 1.2, cpuMaxCores: 1.3, memoryPeakBytes: 3 * GiB })) },
      DEFAULT_POLICY,
      NOW,
    );
    const [label] = recommendLabels([small, bigger], DEFAULT_POLICY, NOW);
    expect(label!.workload).toEqual({ kind: 'jenkins.label', key: 'medium' });
    expect(label!.recommended.cpu_cores).toBe(1.4); // 1.2 × 1.15 = 1.38 → 1.4
    expect(label!.recommended.memory_bytes).toBe(bigger.recommended.memory_bytes);
    expect(label!.savings?.cpu_core_hours_per_week).toBeCloseTo(small.savings!.cpu_core_hours_per_week! + bigger.savings!.cpu_core_hours_per_week!, 3);
    expect(label!.basis.builds).toBe(24);
  });
});

describe('Marathon apps', () => {
  it('sizes a service from hourly windows of samples', () => {
    const samples = [];
    for (let t = NOW - 48 * HOUR; t < NOW; t += 60_000) samples.push({ timestampMs: t, cpuCores: 0.3, memoryBytes: 600 * MiB });
    const doc = recommendMarathonApp({ appId: '/shop/api', samples, current: { cpu_cores: 2, memory_bytes: 2 * GiB } }, DEFAULT_POLICY, NOW);
    expect(doc.workload).toEqual({ kind: 'marathon.app', key: '/shop/api' });
    expect(doc.jenkins).toBeUndefined();
    expect(doc.recommended.cpu_cores).toBe(0.4); // 0.3 × 1.15 = 0.345 → 0.4
    expect(doc.recommended.memory_bytes).toBe(896 * MiB); // 600 + 256 = 856 → 896
    expect(doc.basis.builds).toBe(48);
    // a continuously running service: 168 h a week
    expect(doc.savings?.cpu_core_hours_per_week).toBeCloseTo(1.6 * 168, 1);
  });
});

describe('output formats', () => {
  it('tables neutralise control characters of hostile names; CSV quotes per RFC 4180', () => {
    const t = formatTable(['job', 'cores'], [['evil\nname\u001b[31m', '1.5']]);
    expect(t.split('\n')).toHaveLength(4);
    expect(t).toContain('evil?name?[31m');
    expect(formatCsv(['a', 'b'], [['x,"y"', 2]])).toBe('a,b\r\n"x,""y""",2\r\n');
  });
});
