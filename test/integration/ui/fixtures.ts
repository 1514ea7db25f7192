import type { ApiReads, NewSilence, RangeMs } from '../../../src/api/index.js';
import type { RecommendationDoc } from '../../../src/model/index.js';

/**
 * Demo-like data for the UI tests, served through the `ApiReads` port (the seam `buildApp` takes;
 * `src/store/queries/apiReads.ts` is the Elasticsearch side of it, tested in test/integration/api):
 * a small cluster over a day, jobs with builds, queue waits on three labels, alerts and silences
 * that the page creates and expires.
 */

export const NOW_MS = Date.parse('2026-12-07T12:00:00.000Z');
export const GiB = 1024 * 1024 * 1024;
export const HOSTILE = '<img src=x onerror=alert(1)>';
const HOUR = 3_600_000;

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function rec(key: string, label: string, cpuNow: number, cpu: number, memNowGiB: number, memGiB: number, coreHours: number, severity: RecommendationDoc['severity'] = 'warning'): RecommendationDoc {
  return {
    '@timestamp': new Date(NOW_MS - HOUR).toISOString(),
    workload: { kind: 'jenkins.job', key },
    jenkins: { job: { name: key }, label },
    current: { cpu_cores: cpuNow, memory_bytes: memNowGiB * GiB },
    recommended: { cpu_cores: cpu, memory_bytes: memGiB * GiB },
    basis: { builds: 24, window_days: 30 },
    confidence: 'medium',
    reasons: cpu > cpuNow ? ['cpu_throttled'] : [],
    savings: { cpu_core_hours_per_week: coreHours, memory_gib_hours_per_week: (memNowGiB - memGiB) * 10 },
    severity,
  };
}

export const JOB_DOCS: readonly RecommendationDoc[] = [
  rec('team-a/api-tests', 'linux-4c', 4, 1.2, 8, 3, 42, 'critical'),
  rec('team-a/integration', 'linux-4c', 4, 2.5, 8, 6, 18, 'warning'),
  rec('web/frontend-build', 'linux-2c', 2, 1.1, 4, 2.5, 9, 'warning'),
  rec('lint', 'small', 1, 0.4, 2, 0.75, 3, 'ok'),
  rec('team-b/memory-hog', 'linux-2c', 2, 2.6, 4, 5, -4, 'critical'),
  rec(HOSTILE, 'small', 1, 0.5, 2, 1, 5, 'warning'),
];

type Build = Awaited<ReturnType<ApiReads['builds']>>[number];
type Silence = Awaited<ReturnType<ApiReads['activeSilences']>>[number];

/** Builds of a job: one every ~6 h over a week, CPU and memory scattered below (or above) the request. */
function buildsFor(doc: RecommendationDoc, seed: number): Build[] {
  const rnd = random(seed);
  const out: Build[] = [];
  const cpuReq = doc.current.cpu_cores ?? 1;
  const memReq = doc.current.memory_bytes ?? GiB;
  const cpuUse = doc.recommended.cpu_cores ?? cpuReq;
  const memUse = doc.recommended.memory_bytes ?? memReq;
  for (let n = 1; n <= 28; n++) {
    const start = NOW_MS - 7 * 24 * HOUR + (n - 1) * 6 * HOUR + Math.round(rnd() * HOUR);
    const duration = Math.round((8 + rnd() * 20) * 60_000);
    const p95 = cpuUse * (0.55 + rnd() * 0.35);
    out.push({
      number: n,
      result: rnd() < 0.1 ? 'FAILURE' : 'SUCCESS',
      label: doc.jenkins?.label ?? 'linux',
      node: `mesos-${n % 3}`,
      start_ms: start,
      end_ms: start + duration,
      duration_ms: duration,
      queue_wait_ms: Math.round(rnd() * 12 * 60_000),
      request: { cpu_cores: cpuReq, memory_bytes: memReq },
      cpu_p95_cores: p95,
      cpu_max_cores: p95 * 1.2,
      cpu_avg_cores: p95 * 0.6,
      memory_peak_bytes: memUse * (0.6 + rnd() * 0.3),
      memory_avg_bytes: memUse * 0.4,
      throttled_ratio: rnd() * 0.05,
      oom_killed: false,
      coverage: 0.97,
    });
  }
  return out.sort((a, b) => (b.end_ms ?? 0) - (a.end_ms ?? 0));
}

export interface FixtureOptions {
  /** No cluster, queue or alert documents: the pages' empty states. */
  readonly empty?: boolean;
}

/** The fixture store: reads answer from memory, silences are created and expired in it. */
export class FixtureReads implements ApiReads {
  readonly silences: Array<Silence & { until_ms: number }> = [];
  private readonly _builds = new Map<string, Build[]>();
  private _next = 1;

  constructor(private readonly _opts: FixtureOptions = {}) {
    if (_opts.empty !== true) JOB_DOCS.forEach((d, i) => this._builds.set(d.workload.key, buildsFor(d, 7 + i)));
    if (_opts.empty !== true) this.silences.push({ id: 'sil-existing-1', rule_id: 'queue-wait', group: 'linux-4c', until_ms: NOW_MS + 2 * HOUR, created_by: 'ops', comment: 'planned agent upgrade', created_at: new Date(NOW_MS - HOUR).toISOString() });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }
  missingTemplates(): Promise<readonly string[]> {
    return Promise.resolve([]);
  }
  builds(job: string, range: Omit<RangeMs, 'intervalMs'>, limit: number): Promise<Build[]> {
    return Promise.resolve((this._builds.get(job) ?? []).filter((b) => (b.end_ms ?? 0) >= range.fromMs && (b.start_ms ?? 0) <= range.toMs).slice(0, limit));
  }
  cluster(range: RangeMs): ReturnType<ApiReads['cluster']> {
    if (this._opts.empty === true) return Promise.resolve({ now: {}, series: [] });
    const series: Array<{ t: number } & Record<string, number>> = [];
    const rnd = random(99);
    for (let t = Math.ceil(range.fromMs / range.intervalMs) * range.intervalMs; t < range.toMs; t += range.intervalMs) {
      const hour = new Date(t).getUTCHours();
      const busy = hour >= 7 && hour <= 19 ? 1 : 0.35;
      const allocated = Math.round(48 * busy * (0.75 + rnd() * 0.2));
      series.push({
        t,
        cpus_total: 64,
        cpus_allocated: allocated,
        cpus_used: allocated * (0.3 + rnd() * 0.1),
        mem_total_bytes: 256 * GiB,
        mem_allocated_bytes: allocated * 3.5 * GiB,
        mem_used_bytes: allocated * 1.4 * GiB,
        agents_active: 8,
      });
    }
    const last = series[series.length - 1];
    return Promise.resolve({
      now: {
        at: new Date(range.toMs - 5_000).toISOString(),
        cpus_total: 64,
        cpus_allocated: last?.['cpus_allocated'] ?? 0,
        mem_total_bytes: 256 * GiB,
        mem_allocated_bytes: last?.['mem_allocated_bytes'] ?? 0,
        cpus_used: last?.['cpus_used'] ?? 0,
        mem_used_bytes: last?.['mem_used_bytes'] ?? 0,
        agents_active: 8,
      },
      series,
    });
  }
  queue(range: RangeMs): ReturnType<ApiReads['queue']> {
    if (this._opts.empty === true) return Promise.resolve([]);
    const rnd = random(5);
    return Promise.resolve(
      (
        [
          ['linux-4c', 64, 4, 18],
          ['linux-2c', 120, 1, 6],
          ['small', 300, 0.2, 1.5],
        ] as const
      ).map(([label, builds, p50Min, p95Min]) => {
        const series: Array<{ t: number } & Record<string, number>> = [];
        for (let t = Math.ceil(range.fromMs / range.intervalMs) * range.intervalMs; t < range.toMs; t += range.intervalMs) series.push({ t, length: Math.round(rnd() * p95Min), oldest_wait_ms: Math.round(rnd() * p95Min * 60_000) });
        return { label, builds, wait_p50_ms: p50Min * 60_000, wait_p95_ms: p95Min * 60_000, wait_max_ms: p95Min * 90_000, series };
      }),
    );
  }
  alerts(status: 'firing' | 'resolved' | undefined): ReturnType<ApiReads['alerts']> {
    if (this._opts.empty === true) return Promise.resolve([]);
    const all = [
      { id: 'a1', rule_id: 'queue-wait', rule_name: 'Builds wait in the queue', group: 'linux-4c', status: 'firing', since_ms: NOW_MS - 3 * HOUR, value: 18.2, threshold: 10, notifications: 2 },
      { id: 'a2', rule_id: 'cpu-allocation', rule_name: 'Reserved CPU mostly idle', group: 'cluster', status: 'firing', since_ms: NOW_MS - 26 * HOUR, value: 0.31, threshold: 0.5, notifications: 1 },
      { id: 'a3', rule_id: 'nodata-mesos-master', rule_name: 'No Mesos master documents', status: 'resolved', since_ms: NOW_MS - 50 * HOUR, notifications: 2 },
    ];
    return Promise.resolve(status === undefined ? all : all.filter((a) => a.status === status));
  }
  activeSilences(nowMs: number): Promise<Silence[]> {
    return Promise.resolve(this.silences.filter((s) => s.until_ms > nowMs));
  }
  createSilence(s: NewSilence): Promise<Silence> {
    const row: Silence & { until_ms: number } = {
      id: `sil-${this._next++}`,
      rule_id: s.ruleId,
      ...(s.group !== undefined ? { group: s.group } : {}),
      until_ms: s.untilMs,
      created_by: s.createdBy,
      ...(s.comment !== undefined ? { comment: s.comment } : {}),
      created_at: new Date(s.createdAtMs).toISOString(),
    };
    this.silences.push(row);
    return Promise.resolve(row);
  }
  expireSilence(id: string, nowMs: number): Promise<boolean> {
    const s = this.silences.find((x) => x.id === id);
    if (s === undefined) return Promise.resolve(false);
    s.until_ms = nowMs;
    return Promise.resolve(true);
  }
}
