import type { BuildFacts } from '../model/index.js';
import { describeValue, isRecord } from './json.js';
import { DAY_MS, TiB } from './units.js';

/**
 * The one reader of a `builds` document (docs/data-model.md, builds): the NDJSON trace parser,
 * the store's job queries and `toBuildRecord` all read a document through {@link readBuildDoc}.
 *
 * Every number is bounded by what a real build can report, so a hostile or corrupt document
 * (a `build.end` in the year 275760, `request.cpu_cores: 1e300`, a negative or NaN value) never
 * becomes a wrong number downstream. Absent and `null` both mean "not reported"; the facts never
 * carry a null.
 */

/** Instants a build may start or end at: 1970-01-01 … 2100-01-01 UTC (epoch ms). */
export const BUILD_MIN_EPOCH_MS = 0;
export const BUILD_MAX_EPOCH_MS = Date.UTC(2100, 0, 1);
/** The longest build accepted (a year). */
export const BUILD_MAX_DURATION_MS = 366 * DAY_MS;
/** More cores than any agent has (the largest machines have a few hundred). */
export const BUILD_MAX_CPU_CORES = 4096;
/** More memory than any agent has (1 PiB). */
export const BUILD_MAX_MEMORY_BYTES = 1024 * TiB;
/** Longest accepted job full name, in characters (Jenkins folders nest deeply; Elasticsearch ids are hashed when long). */
export const BUILD_MAX_NAME_CHARS = 1024;
const MAX_SAMPLES = 1e9;

export type BuildDocRead =
  /** `dropped`: optional fields that were present but malformed or out of range (`path: why`), left out of `facts`. */
  | { readonly ok: true; readonly facts: BuildFacts; readonly dropped: readonly string[] }
  | { readonly ok: false; readonly problem: string };

const splitPaths = new Map<string, readonly string[]>();

/** `a.b.c` → `['a', 'b', 'c']`, split once per path (the reader runs for every stored build). */
function parts(path: string): readonly string[] {
  let p = splitPaths.get(path);
  if (p === undefined) splitPaths.set(path, (p = path.split('.')));
  return p;
}

function at(source: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = source;
  for (const part of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** An epoch-ms instant stored as a number, or (if someone wrote one) an ISO-8601 or digit string. */
function instant(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return undefined;
}

function inRange(v: number, max: number): boolean {
  return Number.isFinite(v) && v >= 0 && v <= max;
}

/**
 * Reads one `builds` document. Required: `jenkins.job.name` (non-empty string of at most
 * {@link BUILD_MAX_NAME_CHARS} characters), `jenkins.build.number` (safe integer ≥ 0),
 * `build.start` and `build.end` (instants in [1970, 2100), end ≥ start), `build.duration_ms`
 * (0 … a year); a document without them is refused with the reason. Optional numbers must be
 * finite, ≥ 0 and within their bound (cores ≤ 4096, bytes ≤ 1 PiB, ratios ≤ 1); a malformed one is
 * dropped and named in `dropped` (the caller decides: the trace parser refuses the line, the
 * store keeps the build and counts the field).
 */
export function readBuildDoc(source: unknown): BuildDocRead {
  if (!isRecord(source)) return { ok: false, problem: 'not a JSON object' };
  const job = at(source, ['jenkins', 'job', 'name']);
  if (typeof job !== 'string' || job.length === 0 || job.length > BUILD_MAX_NAME_CHARS)
    return { ok: false, problem: `jenkins.job.name must be a non-empty string of at most ${BUILD_MAX_NAME_CHARS} characters` };
  const number = at(source, ['jenkins', 'build', 'number']);
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) return { ok: false, problem: 'jenkins.build.number must be a non-negative integer' };
  const startMs = instant(at(source, ['build', 'start']));
  const endMs = instant(at(source, ['build', 'end']));
  for (const [name, v] of [
    ['start', startMs],
    ['end', endMs],
  ] as const)
    if (v === undefined || !Number.isFinite(v) || v < BUILD_MIN_EPOCH_MS || v >= BUILD_MAX_EPOCH_MS)
      return { ok: false, problem: `build.${name} must be an instant between 1970 and 2100 (epoch ms), got ${describeValue(at(source, ['build', name]))}` };
  if (endMs! < startMs!) return { ok: false, problem: 'build.end is before build.start' };
  const durationMs = at(source, ['build', 'duration_ms']);
  if (typeof durationMs !== 'number' || !inRange(durationMs, BUILD_MAX_DURATION_MS))
    return { ok: false, problem: `build.duration_ms must be a number in [0, ${BUILD_MAX_DURATION_MS}], got ${describeValue(durationMs)}` };

  const dropped: string[] = [];
  const num = (path: string, max: number): number | undefined => {
    const v = at(source, parts(path));
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !inRange(v, max)) {
      dropped.push(`${path} must be a finite number in [0, ${max}], got ${typeof v === 'number' ? String(v) : typeof v}`);
      return undefined;
    }
    return v;
  };
  const str = (path: string): string | undefined => {
    const v = at(source, parts(path));
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      dropped.push(`${path} must be a string`);
      return undefined;
    }
    return v;
  };
  const flag = (path: string): boolean => {
    const v = at(source, parts(path));
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') {
      dropped.push(`${path} must be a boolean`);
      return false;
    }
    return v;
  };
  for (const path of ['request', 'usage', 'usage.cpu', 'usage.memory', 'outcome']) {
    const v = at(source, parts(path));
    if (v !== undefined && v !== null && !isRecord(v)) dropped.push(`${path} must be an object`);
  }
  const cpuSecondsMax = BUILD_MAX_CPU_CORES * (durationMs / 1000 + 1);
  const facts: Record<string, unknown> = {
    job,
    number,
    label: str('jenkins.label'),
    result: str('jenkins.result'),
    startMs,
    endMs,
    durationMs,
    requestCpuCores: num('request.cpu_cores', BUILD_MAX_CPU_CORES),
    requestMemoryBytes: num('request.memory_bytes', BUILD_MAX_MEMORY_BYTES),
    cpuAvgCores: num('usage.cpu.avg_cores', BUILD_MAX_CPU_CORES),
    cpuP50Cores: num('usage.cpu.p50_cores', BUILD_MAX_CPU_CORES),
    cpuP95Cores: num('usage.cpu.p95_cores', BUILD_MAX_CPU_CORES),
    cpuMaxCores: num('usage.cpu.max_cores', BUILD_MAX_CPU_CORES),
    cpuCoreSeconds: num('usage.cpu.core_seconds', cpuSecondsMax),
    throttledRatio: num('usage.cpu.throttled_ratio', 1),
    memoryAvgBytes: num('usage.memory.avg_bytes', BUILD_MAX_MEMORY_BYTES),
    memoryPeakBytes: num('usage.memory.peak_bytes', BUILD_MAX_MEMORY_BYTES),
    sampleCount: num('usage.sample_count', MAX_SAMPLES),
    oomKilled: flag('outcome.oom_killed'),
    sharedAgent: flag('usage.shared_agent'),
  };
  num('usage.coverage', 1);
  for (const k of Object.keys(facts)) if (facts[k] === undefined) delete facts[k];
  return { ok: true, facts: facts as unknown as BuildFacts, dropped };
}
