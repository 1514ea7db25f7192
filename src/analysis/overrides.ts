import type { RecommendationDoc } from '../model/index.js';
import { RightsizeError } from '../errors/index.js';
import { compileGlob, type Glob } from '../util/glob.js';
import { withPolicy, type RecommenderPolicy, type ResourcePolicy } from './recommend/policy.js';
import { recommendWorkload, type WorkloadInput } from './recommend/workload.js';

/**
 * Per-workload overrides and exclusions (`analysis.overrides`): an entry matches Jenkins jobs by
 * job-name glob and/or label glob and then excludes them from recommendations, pins a minimum
 * and/or maximum, or sizes them with another percentile/headroom. The first matching entry wins
 * (entries are not merged: put the specific ones first). Pure.
 */

/** One resource's override: cores for CPU, bytes for memory. */
export interface ResourceOverride {
  /** Never recommend less (tightens the policy floor; never loosens it). */
  readonly min?: number;
  /** Never recommend more (tightens the policy cap). */
  readonly max?: number;
  /** Another weighted percentile (0 < p ≤ 1). */
  readonly percentile?: number;
  /** Another multiplicative headroom. */
  readonly headroom?: number;
  /** Another additive headroom (memory: bytes). */
  readonly headroomAbsolute?: number;
}

export interface WorkloadOverride {
  /** Names the entry in reasons (`override:<id>:…`): its `name`, else its index in the list. */
  readonly id: string;
  /** Job-name globs (src/util/glob.ts syntax); the job matches when any of them does. */
  readonly jobGlobs?: readonly string[];
  /** Label globs; the job's label (its newest build's) must match one. With `jobGlobs`, both must match. */
  readonly labelGlobs?: readonly string[];
  /** Leave matching jobs out of the recommendations (and so out of labels and the label plan). */
  readonly exclude?: boolean;
  readonly cpu?: ResourceOverride;
  readonly memory?: ResourceOverride;
}

/** A job an override excluded. */
export interface ExcludedWorkload {
  readonly key: string;
  /** The id of the entry that excluded it. */
  readonly override: string;
}

interface Compiled {
  readonly entry: WorkloadOverride;
  readonly jobs?: readonly Glob[];
  readonly labels?: readonly Glob[];
}

function compileAll(globs: readonly string[] | undefined, where: string): Glob[] | undefined {
  if (globs === undefined) return undefined;
  return globs.map((g, i) => {
    try {
      return compileGlob(g);
    } catch (err) {
      throw new RightsizeError('RS_ERR_CONFIG_INVALID', `${where}[${i}] ${JSON.stringify(g)} is not a glob: ${(err as Error).message}`, { cause: err });
    }
  });
}

/** The compiled override list; {@link match} returns the first entry that matches a job. */
export class OverrideSet {
  private readonly compiled: readonly Compiled[];

  /** @throws RightsizeError `RS_ERR_CONFIG_INVALID` for an invalid glob or an entry that matches on nothing. */
  constructor(entries: readonly WorkloadOverride[]) {
    this.compiled = entries.map((entry) => {
      if ((entry.jobGlobs?.length ?? 0) === 0 && (entry.labelGlobs?.length ?? 0) === 0)
        throw new RightsizeError('RS_ERR_CONFIG_INVALID', `override ${entry.id} matches on nothing: give job and/or label globs`);
      const jobs = compileAll(entry.jobGlobs, `override ${entry.id} job`);
      const labels = compileAll(entry.labelGlobs, `override ${entry.id} label`);
      return { entry, ...(jobs !== undefined && jobs.length > 0 ? { jobs } : {}), ...(labels !== undefined && labels.length > 0 ? { labels } : {}) };
    });
  }

  get size(): number {
    return this.compiled.length;
  }

  /** The first entry whose job globs match `jobKey` and whose label globs match `label` (each when given). */
  match(jobKey: string, label: string | undefined): WorkloadOverride | undefined {
    for (const c of this.compiled) {
      if (c.jobs !== undefined && !c.jobs.some((g) => g.matches(jobKey))) continue;
      if (c.labels !== undefined && (label === undefined || !c.labels.some((g) => g.matches(label)))) continue;
      return c.entry;
    }
    return undefined;
  }
}

function tuned(o: ResourceOverride | undefined): Partial<ResourcePolicy> {
  if (o === undefined) return {};
  return {
    ...(o.percentile !== undefined ? { percentile: o.percentile } : {}),
    ...(o.headroom !== undefined ? { headroom: o.headroom } : {}),
    ...(o.headroomAbsolute !== undefined ? { headroomAbsolute: o.headroomAbsolute } : {}),
  };
}

function pinned(rp: ResourcePolicy, o: ResourceOverride | undefined): Partial<ResourcePolicy> {
  if (o === undefined || (o.min === undefined && o.max === undefined)) return {};
  const cap = Math.min(rp.cap, o.max ?? Infinity);
  const floor = Math.min(cap, Math.max(rp.floor, o.min ?? 0));
  return { floor, cap };
}

/** `policy` with the override's percentile/headroom (`pins: false`) and also its min/max as floor/cap (`pins: true`). */
export function overridePolicy(policy: RecommenderPolicy, o: WorkloadOverride, pins = true): RecommenderPolicy {
  const cpu = { ...tuned(o.cpu) };
  const memory = { ...tuned(o.memory) };
  const base = withPolicy({ cpu, memory }, policy);
  if (!pins) return base;
  return withPolicy({ cpu: pinned(base.cpu, o.cpu), memory: pinned(base.memory, o.memory) }, base);
}

function hasPins(o: ResourceOverride | undefined): boolean {
  return o !== undefined && (o.min !== undefined || o.max !== undefined);
}

/** The reasons of the tuning knobs an entry sets (applied whenever it matches). */
function knobReasons(o: WorkloadOverride): string[] {
  const out: string[] = [];
  for (const [res, ro] of [['cpu', o.cpu], ['memory', o.memory]] as const) {
    if (ro?.percentile !== undefined) out.push(`override:${o.id}:${res}_percentile`);
    if (ro?.headroom !== undefined || ro?.headroomAbsolute !== undefined) out.push(`override:${o.id}:${res}_headroom`);
  }
  return out;
}

/**
 * {@link recommendWorkload} under an override (or none). Pins are the policy's floor and cap, so
 * every rule of the core (ladder, hysteresis, evidence) respects them; whether a pin changed the
 * value is decided by also recommending without the pins (same inputs, same previous value):
 * `override:<id>:pinned_min_cpu` when the pinned value is above the free one, `pinned_max_…` when
 * below. Every matched document carries `override:<id>`, plus one reason per tuning knob set.
 */
export function recommendWithOverride(input: WorkloadInput, policy: RecommenderPolicy, o: WorkloadOverride | undefined, nowMs: number): RecommendationDoc {
  if (o === undefined) return recommendWorkload(input, policy, nowMs);
  const doc = recommendWorkload(input, overridePolicy(policy, o, true), nowMs);
  const reasons = [`override:${o.id}`, ...knobReasons(o)];
  if (hasPins(o.cpu) || hasPins(o.memory)) {
    const free = recommendWorkload(input, overridePolicy(policy, o, false), nowMs);
    const cmp = (res: 'cpu' | 'memory', pinnedV: number | undefined, freeV: number | undefined): void => {
      if (pinnedV === undefined || freeV === undefined) return;
      if (pinnedV > freeV) reasons.push(`override:${o.id}:pinned_min_${res}`);
      else if (pinnedV < freeV) reasons.push(`override:${o.id}:pinned_max_${res}`);
    };
    cmp('cpu', doc.recommended.cpu_cores, free.recommended.cpu_cores);
    cmp('memory', doc.recommended.memory_bytes, free.recommended.memory_bytes);
  }
  return { ...doc, reasons: [...doc.reasons, ...reasons] };
}
