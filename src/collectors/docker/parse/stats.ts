/**
 * `GET /containers/{id}/stats?stream=false[&one-shot=true]` → one reading (pure).
 *
 * Field meanings follow the Engine API reference
 * (https://docs.docker.com/reference/api/engine/version/v1.41/#tag/Container/operation/ContainerStats)
 * and the Docker CLI (`cli/command/container/stats_helpers.go`); see
 * ../shared/design/reference/apis.md §2.1–2.3.
 */
import { done, FieldReader, isRecord, type ParseResult } from '../../../util/json.js';
import { cappedStr, describeValue, CONTAINER_ID_PATTERN, MAX_HOST_CPUS, MAX_MEMORY_BYTES, MAX_PROCESS_COUNT, MAX_TEXT_LENGTH, NO_LIMIT_BYTES } from './bounds.js';
import { MAX_COUNT } from '../../../util/bounds.js';
import { nsBetween, parseDockerTime, type DockerInstant } from './time.js';

/** Cumulative CFS throttling counters (`cpu_stats.throttling_data`). */
export interface ThrottlingCounters {
  /** `periods`: enforcement periods elapsed. */
  readonly periods?: number;
  /** `throttled_periods`: periods in which the container hit its quota. */
  readonly throttledPeriods?: number;
  /** `throttled_time`: total time throttled, ns. */
  readonly throttledTimeNs?: number;
}

/** The CPU counters of one reading, with the daemon's time of that reading. */
export interface CpuSnapshot {
  /** `read` (or `preread`) on the daemon's clock. */
  readonly read: DockerInstant;
  /** `cpu_stats.cpu_usage.total_usage`: cumulative CPU time of the container, ns. */
  readonly totalUsageNs: number;
  /** `cpu_stats.system_cpu_usage`: cumulative CPU time of the whole host, ns (absent on Windows and in one-shot `precpu_stats`). */
  readonly systemUsageNs?: number;
  /** `online_cpus`, else `percpu_usage.length` (API < 1.27). */
  readonly onlineCpus?: number;
  readonly throttling?: ThrottlingCounters;
  /** `memory_stats.max_usage` (cgroup v1 only): monotonic within one container start, so a drop reveals a restart. */
  readonly maxUsageBytes?: number;
}

/** Memory of one reading, bytes. */
export interface MemoryReading {
  /** `memory_stats.usage`, includes page cache. */
  readonly usageBytes: number;
  /**
   * usage − inactive file cache, floored at 0: `stats.total_inactive_file` (cgroup v1),
   * `stats.inactive_file` (v2), else usage − `stats.cache` (old daemons); `privateworkingset`
   * on Windows. Absent when `memory_stats.stats` says nothing about the cache.
   */
  readonly workingSetBytes?: number;
  /** `stats.total_rss` (v1), `stats.anon` (v2), else `stats.rss`. */
  readonly rssBytes?: number;
  /** `memory_stats.limit`, absent when it means "no limit" (≥ 2^62, or a v1 `hierarchical_memory_limit` ≥ 2^62, i.e. `limit` is the host RAM). */
  readonly limitBytes?: number;
  /** `memory_stats.max_usage` (cgroup v1 only): highest usage since the container started. */
  readonly peakBytes?: number;
}

/** A reading of a running container. */
export interface RunningStats {
  readonly status: 'running';
  readonly id?: string;
  readonly name?: string;
  readonly cpu: CpuSnapshot;
  /** Absent when `memory_stats` is `{}` or has no usable `usage`. */
  readonly memory?: MemoryReading;
  /** `pids_stats.current`. */
  readonly processCount?: number;
  /**
   * The daemon's own earlier sample (`precpu_stats` at `preread`), present only when the
   * daemon took one: `stream=false` without `one-shot` waits ~1 s and fills it. One-shot
   * readings (and the first streamed frame) have `preread` = 0001-01-01 and no previous.
   */
  readonly previous?: CpuSnapshot;
}

/** A stopped container: `read` is Go's zero time and every counter is 0. The collector skips it. */
export interface NotRunningStats {
  readonly status: 'not_running';
  readonly id?: string;
  readonly name?: string;
}

/** One stats answer: a reading, or `undefined` when the answer is unusable (the errors say why). */
export type StatsParseResult = ParseResult<RunningStats | NotRunningStats | undefined>;

function readThrottling(fr: FieldReader, cpuStats: Record<string, unknown> | undefined, path: string): ThrottlingCounters | undefined {
  const t = cpuStats && fr.obj(cpuStats, 'throttling_data', `${path}.throttling_data`);
  if (!t) return undefined;
  // period counts reach the document as deltas (`cpu.throttled.periods`): whole and at most 2^53 − 1
  const periods = fr.whole(t, 'periods', MAX_COUNT, `${path}.throttling_data.periods`);
  const throttledPeriods = fr.whole(t, 'throttled_periods', MAX_COUNT, `${path}.throttling_data.throttled_periods`);
  const throttledTimeNs = fr.nonNeg(t, 'throttled_time', `${path}.throttling_data.throttled_time`);
  if (periods === undefined && throttledPeriods === undefined && throttledTimeNs === undefined) return undefined;
  return { periods, throttledPeriods, throttledTimeNs };
}

function readOnlineCpus(fr: FieldReader, cpuStats: Record<string, unknown> | undefined, path: string): number | undefined {
  if (!cpuStats) return undefined;
  // A CPU count is a whole number (the engine's `uint32`): a fraction (1.5) is a broken answer,
  // an issue, and the count falls back to percpu_usage.length (fault case 5 found 1.5 accepted).
  const online = fr.whole(cpuStats, 'online_cpus', MAX_HOST_CPUS, `${path}.online_cpus`);
  if (online !== undefined && online >= 1) return online;
  const usage = cpuStats['cpu_usage'];
  const percpu = isRecord(usage) ? usage['percpu_usage'] : undefined;
  if (Array.isArray(percpu) && percpu.length >= 1 && percpu.length <= MAX_HOST_CPUS) return percpu.length;
  return undefined;
}

/** A byte count of `memory_stats` (or its `stats`), bounded by {@link MAX_MEMORY_BYTES}. */
function bytes(fr: FieldReader, obj: Record<string, unknown> | undefined, key: string, path: string): number | undefined {
  return obj === undefined ? undefined : fr.whole(obj, key, MAX_MEMORY_BYTES, `${path}.${key}`);
}

function readMemory(fr: FieldReader, raw: Record<string, unknown>): MemoryReading | undefined {
  const mem = fr.obj(raw, 'memory_stats', 'memory_stats');
  if (!mem) return undefined;
  const stats = fr.obj(mem, 'stats', 'memory_stats.stats');
  const sp = 'memory_stats.stats';
  const windowsWs = bytes(fr, mem, 'privateworkingset', 'memory_stats');
  const usageBytes = bytes(fr, mem, 'usage', 'memory_stats') ?? windowsWs;
  if (usageBytes === undefined) return undefined;
  const has = (key: string): boolean => stats !== undefined && Object.prototype.hasOwnProperty.call(stats, key);

  let workingSetBytes: number | undefined;
  let inactive: number | undefined;
  if (has('total_inactive_file')) inactive = bytes(fr, stats, 'total_inactive_file', sp);
  else if (has('inactive_file')) inactive = bytes(fr, stats, 'inactive_file', sp);
  else if (has('cache')) inactive = bytes(fr, stats, 'cache', sp);
  if (inactive !== undefined) workingSetBytes = Math.max(0, usageBytes - inactive);
  else if (windowsWs !== undefined) workingSetBytes = windowsWs;

  let rssBytes: number | undefined;
  if (has('total_rss')) rssBytes = bytes(fr, stats, 'total_rss', sp);
  else if (has('anon')) rssBytes = bytes(fr, stats, 'anon', sp);
  else rssBytes = bytes(fr, stats, 'rss', sp);

  // A limit is a setting, not a measurement: anything ≥ 2^62 means "no limit" (the cgroup
  // default), and anything below is what the container was given (and fits a `long`).
  const rawLimit = fr.whole(mem, 'limit', Number.MAX_VALUE, 'memory_stats.limit');
  const hierarchical = stats !== undefined ? fr.nonNeg(stats, 'hierarchical_memory_limit', `${sp}.hierarchical_memory_limit`) : undefined;
  const limitBytes =
    rawLimit !== undefined && rawLimit > 0 && rawLimit < NO_LIMIT_BYTES && !(hierarchical !== undefined && hierarchical >= NO_LIMIT_BYTES) ? rawLimit : undefined;

  const peakBytes = bytes(fr, mem, 'max_usage', 'memory_stats');
  return {
    usageBytes,
    ...(workingSetBytes !== undefined && { workingSetBytes }),
    ...(rssBytes !== undefined && { rssBytes }),
    ...(limitBytes !== undefined && { limitBytes }),
    ...(peakBytes !== undefined && peakBytes > 0 && { peakBytes }),
  };
}

/**
 * Parses one `GET /containers/{id}/stats?stream=false[&one-shot=true]` response.
 *
 * - Not an object (array, string of non-JSON, null) → no reading, `RS_ERR_PARSE_SHAPE`.
 * - `read` missing or unparseable → no reading, `RS_ERR_PARSE_SHAPE` (subject `read`);
 *   `read` = `0001-01-01T00:00:00Z` → `not_running` (an exited container answers with zeros).
 * - `cpu_stats.cpu_usage.total_usage` not a finite non-negative number → no reading,
 *   `RS_ERR_PARSE_SHAPE` (a reading without its CPU counter is useless for rates and would hide
 *   a broken daemon).
 * - Every other field is optional: a wrong type is an `RS_ERR_PARSE_SHAPE` issue and the field
 *   is absent; a figure beyond what a host can report (memory over {@link MAX_MEMORY_BYTES},
 *   `pids_stats.current` over {@link MAX_PROCESS_COUNT}, `online_cpus` over
 *   {@link MAX_HOST_CPUS}) is an `RS_ERR_PARSE_RANGE` issue and absent; a fractional byte or
 *   process count is an `RS_ERR_PARSE_SHAPE` issue and absent. Never 0 or NaN.
 *
 * MUST be pure: no clock, no I/O.
 */
export function parseStatsReading(raw: unknown, target = 'docker'): StatsParseResult {
  const fr = new FieldReader(target);
  if (!isRecord(raw)) {
    fr.issue(`stats response is ${describeValue(raw)}, not an object`);
    return done(undefined, fr);
  }
  const rawId = fr.str(raw, 'id', 'id');
  const id = rawId !== undefined && CONTAINER_ID_PATTERN.test(rawId) ? rawId : undefined;
  const name = cappedStr(fr, raw, 'name', MAX_TEXT_LENGTH, 'name')?.replace(/^\//, '');
  const ident = { ...(id !== undefined && { id }), ...(name !== undefined && name !== '' && { name }) };

  const read = parseDockerTime(raw['read']);
  if (read === undefined) {
    fr.issue('stats response has no valid `read` timestamp', 'read');
    return done(undefined, fr);
  }
  if (read === null) return done({ status: 'not_running', ...ident }, fr);

  const issuesBefore = fr.errors.length;
  const cpuStats = fr.obj(raw, 'cpu_stats', 'cpu_stats');
  const cpuUsage = cpuStats && fr.obj(cpuStats, 'cpu_usage', 'cpu_stats.cpu_usage');
  const totalUsageNs = cpuUsage && fr.nonNeg(cpuUsage, 'total_usage', 'cpu_stats.cpu_usage.total_usage');
  if (totalUsageNs === undefined) {
    // one error per unusable reading: the reader's own, else this one
    if (fr.errors.length === issuesBefore) fr.issue('stats response has no valid cpu_stats.cpu_usage.total_usage', 'cpu_stats.cpu_usage.total_usage');
    return done(undefined, fr);
  }

  const memory = readMemory(fr, raw);
  const systemUsageNs = cpuStats && fr.nonNeg(cpuStats, 'system_cpu_usage', 'cpu_stats.system_cpu_usage');
  const onlineCpus = readOnlineCpus(fr, cpuStats, 'cpu_stats');
  const throttling = readThrottling(fr, cpuStats, 'cpu_stats');
  const cpu: CpuSnapshot = {
    read,
    totalUsageNs,
    ...(systemUsageNs !== undefined && { systemUsageNs }),
    ...(onlineCpus !== undefined && { onlineCpus }),
    ...(throttling !== undefined && { throttling }),
    ...(memory?.peakBytes !== undefined && { maxUsageBytes: memory.peakBytes }),
  };

  // The daemon's own earlier sample: read quietly (a one-shot answer fills it with zeros and
  // empty objects), and only used when it is a complete, earlier reading.
  let previous: CpuSnapshot | undefined;
  const quiet = new FieldReader(target);
  const preread = parseDockerTime(raw['preread']);
  const preStats = quiet.obj(raw, 'precpu_stats');
  const preUsage = preStats && quiet.obj(preStats, 'cpu_usage');
  const preTotal = preUsage && quiet.nonNeg(preUsage, 'total_usage');
  if (preread != null && nsBetween(preread, read) > 0 && preTotal !== undefined && preTotal > 0) {
    const preSystem = preStats && quiet.nonNeg(preStats, 'system_cpu_usage');
    const preOnline = readOnlineCpus(quiet, preStats, 'precpu_stats');
    const preThrottling = readThrottling(quiet, preStats, 'precpu_stats');
    previous = {
      read: preread,
      totalUsageNs: preTotal,
      ...(preSystem !== undefined && { systemUsageNs: preSystem }),
      ...(preOnline !== undefined && { onlineCpus: preOnline }),
      ...(preThrottling !== undefined && { throttling: preThrottling }),
    };
  }

  const pids = fr.obj(raw, 'pids_stats', 'pids_stats');
  const processCount = pids && fr.whole(pids, 'current', MAX_PROCESS_COUNT, 'pids_stats.current');
  return done(
    {
      status: 'running',
      ...ident,
      cpu,
      ...(memory !== undefined && { memory }),
      ...(processCount !== undefined && { processCount }),
      ...(previous !== undefined && { previous }),
    },
    fr,
  );
}
