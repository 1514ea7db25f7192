import { DEFAULT_POLICY, withPolicy, type RecommenderPolicy } from '../recommend/policy.js';
import type { PolicyMetrics } from './engine.js';
import { oursPolicy, type ReplayPolicy } from './policies.js';

/**
 * How the replay judges a policy beyond its table: the frontier of our risk knob (`margin`)
 * against the baselines, and the risk goals. Pure functions of {@link PolicyMetrics}.
 */

/** The default `replay --sweep` range of the margin knob (below 1 takes more risk, above 1 less). */
export const DEFAULT_SWEEP_MARGINS: readonly number[] = [0.75, 0.8, 0.825, 0.85, 0.875, 0.9, 0.925, 0.95, 1, 1.1, 1.25, 1.5];

/** The policy name of ours at margin `m` in a sweep (also the `policy` of `--allocations` lines). */
export function sweepName(m: number): string {
  return `ours@margin=${m}`;
}

/** Ours at each margin of `margins` (the rest of the policy is `base`). */
export function sweepPolicies(margins: readonly number[], base: RecommenderPolicy = DEFAULT_POLICY): ReplayPolicy[] {
  return margins.map((m) => oursPolicy(withPolicy({ margin: m }, base), sweepName(m)));
}

export type Resource = 'cpu' | 'memory';

/** One policy as a point of the cost/UPR plane for one resource (cost relative to the status quo). */
export interface FrontierPoint {
  readonly policy: string;
  readonly cost: number;
  readonly upr: number;
}

export function frontierPoint(m: PolicyMetrics, r: Resource): FrontierPoint {
  return r === 'cpu'
    ? { policy: m.policy, cost: m.cpuVsStatusQuo.value, upr: m.cpuUpr.value }
    : { policy: m.policy, cost: m.memVsStatusQuo.value, upr: m.memUpr.value };
}

/** The verdict for one baseline and resource: a sweep point with no higher UPR at no higher cost, if any. */
export interface FrontierVerdict {
  readonly resource: Resource;
  readonly baseline: FrontierPoint;
  readonly pass: boolean;
  /** The cheapest sweep point that covers the baseline (when `pass`), else the sweep point nearest to covering it. */
  readonly witness?: FrontierPoint;
}

/**
 * The frontier check: for each baseline present (`krr`, `vpa` by default) and each resource, does
 * some sweep point (policy named `ours@margin=…`) have UPR ≤ the baseline's and cost ≤ the
 * baseline's? When none does, the witness is the sweep point whose UPR is within the baseline's
 * and cheapest (it shows how far the cost is off), else the lowest-UPR one.
 */
export function frontierCheck(metrics: readonly PolicyMetrics[], baselines: readonly string[] = ['krr', 'vpa']): FrontierVerdict[] {
  const sweep = metrics.filter((m) => m.policy.startsWith('ours@margin='));
  const out: FrontierVerdict[] = [];
  for (const r of ['cpu', 'memory'] as const) {
    const pts = sweep.map((m) => frontierPoint(m, r));
    for (const name of baselines) {
      const base = metrics.find((m) => m.policy === name);
      if (!base) continue;
      const b = frontierPoint(base, r);
      const within = pts.filter((p) => p.upr <= b.upr).sort((x, y) => x.cost - y.cost);
      const covering = within.filter((p) => p.cost <= b.cost);
      const witness = covering[0] ?? within[0] ?? [...pts].sort((x, y) => x.upr - y.upr || x.cost - y.cost)[0];
      out.push({ resource: r, baseline: b, pass: covering.length > 0, ...(witness ? { witness } : {}) });
    }
  }
  return out;
}

/** The issue's risk goals for a default policy. */
export const RISK_GOALS = { memoryUpr: 0.005, cpuUpr: 0.02, churnPer100: 2 } as const;

export interface GoalVerdict {
  readonly goal: string;
  readonly pass: boolean;
  readonly value: number;
  readonly limit: number;
}

/** The risk goals of one policy: memory UPR ≤ 0.5 %, CPU UPR ≤ 2 %, churn ≤ 2 changes per 100 builds. */
export function riskGoals(m: PolicyMetrics, goals: typeof RISK_GOALS = RISK_GOALS): GoalVerdict[] {
  return [
    { goal: 'memory UPR', value: m.memUpr.value, limit: goals.memoryUpr, pass: m.memUpr.value <= goals.memoryUpr },
    { goal: 'CPU UPR', value: m.cpuUpr.value, limit: goals.cpuUpr, pass: m.cpuUpr.value <= goals.cpuUpr },
    { goal: 'churn per 100 builds', value: m.churnPer100, limit: goals.churnPer100, pass: m.churnPer100 <= goals.churnPer100 },
  ];
}

/** The frontier verdicts as text lines (`PASS  cpu vs krr: …`). */
export function formatFrontier(verdicts: readonly FrontierVerdict[]): string {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const pt = (p: FrontierPoint): string => `${p.policy} cost ${p.cost.toFixed(3)} UPR ${pct(p.upr)}`;
  return verdicts
    .map((v) => `${v.pass ? 'PASS' : 'FAIL'}  frontier ${v.resource} vs ${v.baseline.policy} (${pt(v.baseline)}): ${v.witness ? (v.pass ? 'covered by ' : 'closest ') + pt(v.witness) : 'no sweep point'}`)
    .join('\n') + (verdicts.length > 0 ? '\n' : '');
}

/** One series of the frontier plot. */
export interface PlotSeries {
  readonly name: string;
  readonly points: readonly FrontierPoint[];
  /** Joined by a line (the sweep, the clairvoyant bound) or single markers (baselines). */
  readonly line: boolean;
  readonly color: string;
  /** Dashed line (a bound, not a policy). */
  readonly dashed?: boolean;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The cost/UPR plane as a self-contained SVG (a pure function of the series): x = reserved cost
 * relative to the status quo, y = under-provisioning rate (%), linear axes from 0 with ~5 ticks,
 * a legend, every point labelled by its series' name (sweep points by their margin).
 */
export function frontierSvg(title: string, series: readonly PlotSeries[], width = 720, height = 480): string {
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.cost) && Number.isFinite(p.upr));
  const maxX = niceMax(Math.max(0.1, ...all.map((p) => p.cost)));
  const maxY = niceMax(Math.max(0.001, ...all.map((p) => p.upr)) * 100);
  const m = { l: 60, r: 190, t: 40, b: 50 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const x = (v: number): number => m.l + (v / maxX) * w;
  const y = (v: number): number => m.t + h - ((v * 100) / maxY) * h;
  const f = (v: number): string => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${m.l}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const xv = (maxX * i) / 5;
    const yv = (maxY * i) / 5;
    out.push(`<line x1="${f(x(xv))}" y1="${m.t}" x2="${f(x(xv))}" y2="${m.t + h}" stroke="#eee"/>`);
    out.push(`<text x="${f(x(xv))}" y="${m.t + h + 16}" text-anchor="middle">${xv.toFixed(2)}</text>`);
    out.push(`<line x1="${m.l}" y1="${f(y(yv / 100))}" x2="${m.l + w}" y2="${f(y(yv / 100))}" stroke="#eee"/>`);
    out.push(`<text x="${m.l - 6}" y="${f(y(yv / 100) + 4)}" text-anchor="end">${yv.toFixed(yv < 1 ? 2 : 1)}%</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${m.l + w / 2}" y="${height - 12}" text-anchor="middle">reserved (core- or GiB-hours) / status quo</text>`);
  out.push(`<text transform="translate(16 ${m.t + h / 2}) rotate(-90)" text-anchor="middle">under-provisioned builds</text>`);
  series.forEach((s, si) => {
    const pts = s.points.filter((p) => Number.isFinite(p.cost) && Number.isFinite(p.upr));
    if (s.line && pts.length > 1) {
      const sorted = [...pts].sort((a, b) => a.cost - b.cost);
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${sorted.map((p) => `${f(x(p.cost))},${f(y(p.upr))}`).join(' ')}"/>`,
      );
    }
    for (const p of pts) {
      out.push(`<circle cx="${f(x(p.cost))}" cy="${f(y(p.upr))}" r="${s.line ? 3 : 5}" fill="${s.color}"><title>${esc(`${p.policy}: cost ${p.cost.toFixed(3)}, UPR ${(p.upr * 100).toFixed(2)}%`)}</title></circle>`);
      const label = p.policy.startsWith('ours@margin=') ? p.policy.slice('ours@margin='.length) : s.line ? '' : p.policy;
      if (label !== '') out.push(`<text x="${f(x(p.cost) + 6)}" y="${f(y(p.upr) - 6)}" fill="${s.color}">${esc(label)}</text>`);
    }
    const ly = m.t + 10 + si * 18;
    const lx = m.l + w + 16;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<circle cx="${lx + 9}" cy="${ly}" r="3" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 24}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `v`. */
function niceMax(v: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= v * 1.0000001) return k * p;
  return 10 * p;
}
