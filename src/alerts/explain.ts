/** One running container of a build, as the latest reading shows it. */
export interface RunningContainer {
  readonly job?: string;
  readonly build?: number;
  /** What its task reserved (cores or bytes). */
  readonly requested?: number;
  /** What it used at its latest reading (cores or bytes). */
  readonly used?: number;
}

/** A job's latest recommendation: what it reserves now and what it should reserve (cores or bytes). */
export interface JobRecommendation {
  readonly current?: number;
  readonly recommended?: number;
}

export interface CapacityInput {
  readonly resource: 'cpu' | 'memory';
  /** The leading master's totals: capacity and what is allocated (cores or bytes). */
  readonly total?: number;
  readonly allocated?: number;
  readonly containers: readonly RunningContainer[];
  /** Latest recommendations by job name. */
  readonly recommendations: ReadonlyMap<string, JobRecommendation>;
}

export interface OverReservation {
  readonly job: string;
  readonly builds: number;
  /** What the job's running builds would free with the recommendation (or, without one, their measured idle reservation). */
  readonly free: number;
  readonly basis: 'recommendation' | 'measured';
}

export interface CapacityFacts {
  readonly resource: 'cpu' | 'memory';
  readonly allocatedFraction?: number;
  readonly usedFraction?: number;
  /** used ÷ allocated: below {@link IDLE_SHARE} the capacity is reserved rather than used. */
  readonly usedShareOfAllocated?: number;
  readonly idle: boolean;
  readonly top: readonly OverReservation[];
}

/** Allocated capacity of which less than this share is measured in use counts as reserved-but-idle. */
export const IDLE_SHARE = 0.6;
/** How many jobs the explanation names. */
export const TOP_JOBS = 5;

/**
 * Is the allocated capacity really used, or only reserved (pure)? Used = the sum of the latest
 * measured use of the running builds' containers; the jobs named are those whose running builds
 * would free the most with their recommendation (builds × (current − recommended)), or, for a
 * job without a recommendation, its containers' measured idle reservation (requested − used).
 */
export function capacityFacts(input: CapacityInput): CapacityFacts {
  let used = 0;
  let usedSeen = false;
  const perJob = new Map<string, { builds: Set<number | string>; idle: number }>();
  input.containers.forEach((c, i) => {
    if (c.used !== undefined && Number.isFinite(c.used)) {
      used += c.used;
      usedSeen = true;
    }
    if (c.job === undefined) return;
    const j = perJob.get(c.job) ?? { builds: new Set(), idle: 0 };
    j.builds.add(c.build ?? `container-${i}`);
    if (c.requested !== undefined && c.used !== undefined) j.idle += Math.max(0, c.requested - c.used);
    perJob.set(c.job, j);
  });
  const top: OverReservation[] = [];
  for (const [job, j] of perJob) {
    const rec = input.recommendations.get(job);
    if (rec?.current !== undefined && rec.recommended !== undefined) {
      const free = j.builds.size * Math.max(0, rec.current - rec.recommended);
      if (free > 0) top.push({ job, builds: j.builds.size, free, basis: 'recommendation' });
    } else if (j.idle > 0) {
      top.push({ job, builds: j.builds.size, free: j.idle, basis: 'measured' });
    }
  }
  top.sort((a, b) => b.free - a.free || a.job.localeCompare(b.job));
  const total = input.total !== undefined && input.total > 0 ? input.total : undefined;
  const allocatedFraction = total !== undefined && input.allocated !== undefined ? input.allocated / total : undefined;
  const usedFraction = total !== undefined && usedSeen ? used / total : undefined;
  const share = input.allocated !== undefined && input.allocated > 0 && usedSeen ? used / input.allocated : undefined;
  return {
    resource: input.resource,
    ...(allocatedFraction === undefined ? {} : { allocatedFraction }),
    ...(usedFraction === undefined ? {} : { usedFraction }),
    ...(share === undefined ? {} : { usedShareOfAllocated: share }),
    idle: share !== undefined && share < IDLE_SHARE,
    top: top.slice(0, TOP_JOBS),
  };
}

function pct(f: number): string {
  return `${Math.round(f * 100)} %`;
}

function amount(resource: 'cpu' | 'memory', v: number): string {
  if (resource === 'cpu') return `${Number(v.toFixed(2))} cores`;
  return `${Number((v / 2 ** 30).toFixed(2))} GiB`;
}

/**
 * The sentence an allocation or queue-wait alert carries, e.g. `cluster CPU 94 % allocated, 31 %
 * used: reserved but idle; the 5 largest over-reservations: api-tests 1.4 cores (2 builds), …`.
 * Empty when nothing is known.
 */
export function explainCapacity(f: CapacityFacts): string {
  const what = f.resource === 'cpu' ? 'CPU' : 'memory';
  if (f.allocatedFraction === undefined && f.usedFraction === undefined) return '';
  const head =
    f.allocatedFraction !== undefined && f.usedFraction !== undefined
      ? `cluster ${what} ${pct(f.allocatedFraction)} allocated, ${pct(f.usedFraction)} used by the running builds`
      : f.allocatedFraction !== undefined
        ? `cluster ${what} ${pct(f.allocatedFraction)} allocated (use of the running builds not measured)`
        : `cluster ${what} ${pct(f.usedFraction ?? 0)} used by the running builds`;
  if (f.usedShareOfAllocated === undefined) return `${head}.`;
  if (!f.idle) return `${head}: the capacity is really used.`;
  const names = f.top.map((o) => `${o.job} ${amount(f.resource, o.free)} (${o.builds} build${o.builds === 1 ? '' : 's'}${o.basis === 'measured' ? ', measured idle' : ''})`);
  return names.length === 0
    ? `${head}: reserved but idle.`
    : `${head}: reserved but idle; the ${names.length} largest over-reservations: ${names.join(', ')}.`;
}
