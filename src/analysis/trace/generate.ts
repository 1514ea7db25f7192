import type { BuildDoc } from '../../model/index.js';
import { seededRandom } from '../stats/weighted.js';
import { DAY_MS, GiB } from '../../util/units.js';

const MIN_MS = 60_000;

/** Job archetypes of the synthetic trace (see docs/recommender.md, "Trace generator"). */
export const ARCHETYPES = ['steady', 'bursty', 'bimodal', 'step_change', 'slow_growth', 'oom_prone', 'rare_heavy'] as const;
export type Archetype = (typeof ARCHETYPES)[number];

/** A Jenkins label of the synthetic cluster: what every build on it reserves. */
export interface TraceLabel {
  readonly name: string;
  readonly cpuCores: number;
  readonly memoryBytes: number;
}

/** The over-sized label ladder builds are placed on (status quo). */
export const TRACE_LABELS: readonly TraceLabel[] = [
  { name: 'small', cpuCores: 1, memoryBytes: 2 * GiB },
  { name: 'medium', cpuCores: 2, memoryBytes: 4 * GiB },
  { name: 'large', cpuCores: 4, memoryBytes: 8 * GiB },
  { name: 'xlarge', cpuCores: 8, memoryBytes: 16 * GiB },
  { name: 'xxlarge', cpuCores: 16, memoryBytes: 32 * GiB },
];

export interface TraceOptions {
  readonly jobs: number;
  readonly buildsPerJob: number;
  readonly seed: number;
  /** First build start (epoch ms). @defaultValue 2026-09-01T00:00Z */
  readonly startMs?: number;
  /** Time range the builds of each job spread over. @defaultValue 60 days */
  readonly days?: number;
  /** Base URL used in `jenkins.url` / `jenkins.build.url`. */
  readonly jenkinsUrl?: string;
  /**
   * Relative weights of the archetypes a job draws from (absent or all-zero: uniform). A different
   * mix than the one a policy was tuned on checks it does not overfit (e.g. `{ bursty: 3, oom_prone: 2 }`
   * leaves the others out).
   */
  readonly archetypeWeights?: Partial<Record<Archetype, number>>;
}

/**
 * The generator's parameters per archetype (multiplicative, on the job's base CPU p95 and
 * memory peak): `cpuSigma`/`memSigma` log-normal build-to-build noise; `heavyProb`/`heavyFactor`
 * a second mode; `stepFactor` a one-time jump at a random point in the middle 40% of the range;
 * `growth` total growth over the range; `memOversize` how much larger than the base peak the
 * label's memory must be when the status-quo label is picked (1.1 makes OOMs likely).
 */
export const ARCHETYPE_PARAMS: Readonly<
  Record<
    Archetype,
    {
      readonly cpuSigma: number;
      readonly memSigma: number;
      readonly heavyProb: number;
      readonly heavyCpu: number;
      readonly heavyMem: number;
      readonly stepFactor: number;
      readonly growth: number;
      readonly memOversize: readonly [number, number];
    }
  >
> = {
  steady: { cpuSigma: 0.05, memSigma: 0.03, heavyProb: 0, heavyCpu: 1, heavyMem: 1, stepFactor: 1, growth: 0, memOversize: [1.5, 3] },
  bursty: { cpuSigma: 0.3, memSigma: 0.1, heavyProb: 0, heavyCpu: 1, heavyMem: 1, stepFactor: 1, growth: 0, memOversize: [1.5, 3] },
  bimodal: { cpuSigma: 0.06, memSigma: 0.04, heavyProb: 0.3, heavyCpu: 2.2, heavyMem: 1.8, stepFactor: 1, growth: 0, memOversize: [2, 3] },
  step_change: { cpuSigma: 0.06, memSigma: 0.04, heavyProb: 0, heavyCpu: 1, heavyMem: 1, stepFactor: 1.8, growth: 0, memOversize: [2, 3] },
  slow_growth: { cpuSigma: 0.06, memSigma: 0.04, heavyProb: 0, heavyCpu: 1, heavyMem: 1, stepFactor: 1, growth: 0.5, memOversize: [2, 3] },
  oom_prone: { cpuSigma: 0.08, memSigma: 0.1, heavyProb: 0.05, heavyCpu: 1.1, heavyMem: 1.35, stepFactor: 1, growth: 0, memOversize: [1.05, 1.15] },
  rare_heavy: { cpuSigma: 0.06, memSigma: 0.04, heavyProb: 0.02, heavyCpu: 2.5, heavyMem: 2.5, stepFactor: 1, growth: 0, memOversize: [3, 4] },
};

function pickLabel(cpu: number, mem: number): TraceLabel {
  return TRACE_LABELS.find((l) => l.cpuCores >= cpu && l.memoryBytes >= mem) ?? TRACE_LABELS[TRACE_LABELS.length - 1]!;
}

/** Job name of job `i` (deterministic; includes the archetype for reviews). */
export function traceJobName(i: number, archetype: Archetype): string {
  return `gen/team-${i % 17}/${archetype}-${i}`;
}

/**
 * Generates a seeded synthetic trace of `builds` documents exactly as data-model.md describes
 * them, sorted by build start. Same options → byte-identical output.
 */
export function generateTrace(options: TraceOptions): BuildDoc[] {
  const out: BuildDoc[] = [];
  for (const job of generateTraceJobs(options)) for (const d of job) out.push(d);
  out.sort((a, b) => a.build.start - b.build.start);
  return out;
}

/**
 * The same documents as {@link generateTrace}, one job at a time (each job's builds in start
 * order), so a trace of a million builds can be written without holding it.
 */
export function* generateTraceJobs(options: TraceOptions): Generator<BuildDoc[]> {
  const rnd = seededRandom(options.seed);
  const uniform = (a: number, b: number): number => a + (b - a) * rnd();
  const normal = (): number => {
    const u = Math.max(rnd(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const startMs = options.startMs ?? Date.UTC(2026, 8, 1);
  const rangeMs = (options.days ?? 60) * DAY_MS;
  const url = options.jenkinsUrl ?? 'http://jenkins.example:8080';
  const weights = ARCHETYPES.map((a) => Math.max(0, options.archetypeWeights?.[a] ?? (options.archetypeWeights ? 0 : 1)));
  const totalWeight = weights.reduce((x, y) => x + y, 0);
  const drawArchetype = (): Archetype => {
    const u = rnd();
    // Uniform (the historical draw, so seeds keep their traces) unless a mix is given.
    if (!options.archetypeWeights || totalWeight <= 0) return ARCHETYPES[Math.floor(u * ARCHETYPES.length)]!;
    let acc = 0;
    for (let i = 0; i < ARCHETYPES.length; i++) {
      acc += weights[i]! / totalWeight;
      if (u < acc) return ARCHETYPES[i]!;
    }
    return ARCHETYPES[weights.findLastIndex((w) => w > 0)]!;
  };

  for (let j = 0; j < options.jobs; j++) {
    const out: BuildDoc[] = [];
    const archetype = drawArchetype();
    const p = ARCHETYPE_PARAMS[archetype];
    const name = traceJobName(j, archetype);
    const cpuBase = uniform(0.2, 2.5);
    const memBase = uniform(0.5, 6) * GiB;
    const headroomCpu = uniform(1.5, 3);
    const maxFactorCpu = Math.max(p.stepFactor, 1 + p.growth);
    const label = pickLabel(cpuBase * headroomCpu * Math.min(maxFactorCpu, 1.3), memBase * uniform(p.memOversize[0], p.memOversize[1]));
    const meanDurMs = uniform(3, 40) * MIN_MS;
    const stepAt = startMs + rangeMs * uniform(0.3, 0.7);
    // Stratified start times: build k starts at a random point of the k-th of M equal slots of
    // the range (never before the previous build of the job ended), so every job spans the
    // whole range with roughly even cadence.
    const slotMs = rangeMs / Math.max(1, options.buildsPerJob);
    let prevEnd = -Infinity;
    for (let k = 0; k < options.buildsPerJob; k++) {
      const t = Math.max(prevEnd + MIN_MS, startMs + (k + 0.9 * rnd()) * slotMs);
      const durationMs0 = Math.max(30_000, Math.round(meanDurMs * Math.exp(0.2 * normal())));
      const progress = (t - startMs) / rangeMs;
      let f = 1 + p.growth * Math.max(0, Math.min(1, progress));
      if (t >= stepAt) f *= p.stepFactor;
      const heavy = rnd() < p.heavyProb;
      const cpuNeed = cpuBase * f * (heavy ? p.heavyCpu : 1) * Math.exp(p.cpuSigma * normal());
      const memNeed = memBase * f * (heavy ? p.heavyMem : 1) * Math.exp(p.memSigma * normal());
      const cpuMaxNeed = cpuNeed * uniform(1.05, 1.4);
      const oom = memNeed > label.memoryBytes;
      const throttled = cpuMaxNeed > label.cpuCores;
      const p95 = Math.min(cpuNeed, label.cpuCores);
      const max = Math.min(cpuMaxNeed, label.cpuCores);
      const p50 = p95 * uniform(0.4, 0.7);
      const avg = Math.min(p95, p50 * uniform(0.9, 1.2));
      const durationMs = oom ? Math.round(durationMs0 * uniform(0.3, 0.9)) : durationMs0;
      const peak = oom ? label.memoryBytes : Math.round(memNeed);
      const memAvg = Math.round(peak * uniform(0.6, 0.85));
      const u = rnd();
      const result = oom ? 'FAILURE' : u < 0.01 ? 'ABORTED' : u < 0.06 ? 'FAILURE' : 'SUCCESS';
      const start = Math.round(t);
      const end = start + durationMs;
      const dS = durationMs / 1000;
      const r3 = (x: number): number => Math.round(x * 1000) / 1000;
      out.push({
        '@timestamp': new Date(end).toISOString(),
        jenkins: {
          url,
          job: { name },
          build: { number: k + 1, url: `${url}/job/${name.split('/').join('/job/')}/${k + 1}/` },
          result,
          label: label.name,
          node: { name: `${label.name}-agent-${(j * 31 + k) % 97}` },
        },
        build: { start, end, duration_ms: durationMs },
        queue: { wait_ms: Math.round(uniform(0, 30_000)) },
        request: { cpu_cores: label.cpuCores, memory_bytes: label.memoryBytes },
        usage: {
          cpu: {
            avg_cores: r3(avg),
            p50_cores: r3(p50),
            p95_cores: r3(p95),
            max_cores: r3(max),
            core_seconds: Math.round(avg * dS),
            throttled_ratio: throttled ? r3(Math.min(0.9, 0.06 + (cpuMaxNeed - label.cpuCores) / cpuMaxNeed)) : 0,
          },
          memory: { avg_bytes: memAvg, peak_bytes: peak },
          sample_count: Math.max(1, Math.round(dS / 5)),
          coverage: r3(uniform(0.97, 1)),
          shared_agent: false,
        },
        outcome: { oom_killed: oom },
        waste: {
          cpu_core_seconds: Math.round(Math.max(0, label.cpuCores - avg) * dS),
          memory_byte_seconds: Math.round(Math.max(0, label.memoryBytes - memAvg) * dS),
        },
      });
      prevEnd = end;
    }
    yield out;
  }
}
