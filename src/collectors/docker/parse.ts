/**
 * Pure parsers of the Docker Engine API responses rightsize reads, and the CPU-rate math.
 * No I/O, no clock: every instant comes in as an argument. Bad input never throws; it comes back
 * as a coded error (`RS_ERR_PARSE_SHAPE`) or an absent field, never as a wrong number.
 *
 * Field meanings follow the Engine API reference (`GET /containers/{id}/stats`,
 * https://docs.docker.com/reference/api/engine/version/v1.41/#tag/Container/operation/ContainerStats)
 * and the Docker CLI (`cli/command/container/stats_helpers.go`); see
 * ../shared/design/reference/apis.md §2.1–2.3.
 */
import type { ContainerDoc, JenkinsIdentity, MesosIdentity } from '../../model/index.js';

// ---------------------------------------------------------------------------------------------
// Small readers that accept only what they should (no coercion of strings, no NaN, no Infinity).

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function obj(parent: unknown, key: string): Obj | undefined {
  if (!isObj(parent)) return undefined;
  const v = parent[key];
  return isObj(v) ? v : undefined;
}

/** A finite, non-negative JSON number, else undefined (strings such as "12" are rejected). */
function count(parent: unknown, key: string): number | undefined {
  if (!isObj(parent)) return undefined;
  const v = parent[key];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function has(parent: unknown, key: string): boolean {
  return isObj(parent) && Object.prototype.hasOwnProperty.call(parent, key);
}

function str(parent: unknown, key: string, maxLength: number): string | undefined {
  if (!isObj(parent)) return undefined;
  const v = parent[key];
  return typeof v === 'string' && v !== '' ? capText(v, maxLength) : undefined;
}

/** Cuts text to `maxLength` UTF-16 units without leaving half a surrogate pair behind. */
function capText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let cut = text.slice(0, maxLength);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

/** Upper bound of a string copied from a container (names, env values, label values). */
export const MAX_TEXT_LENGTH = 1024;
/** Upper bound of a label key copied to `container.labels`. */
export const MAX_LABEL_KEY_LENGTH = 128;
/** At most this many labels are copied per container; the rest are dropped (counted by the caller if needed). */
export const MAX_LABELS = 64;

/**
 * `memory_stats.limit` at or above this (2^62 bytes) means "no limit": the cgroup default is
 * 2^63 − 4096 (`PAGE_COUNTER_MAX` pages), sometimes float-rounded to 9223372036854772000.
 */
export const NO_LIMIT_BYTES = 2 ** 62;

/** Docker container ids are hex: 12 (short) to 64 characters. Anything else never goes into a URL. */
export const CONTAINER_ID_PATTERN = /^[0-9a-f]{12,64}$/i;

// ---------------------------------------------------------------------------------------------
// Timestamps

/**
 * An instant as the daemon reports it, kept exact to the nanosecond: whole epoch milliseconds
 * plus the nanoseconds within that millisecond (a float of epoch ms would round to ~0.24 µs).
 */
export interface DockerInstant {
  /** Whole epoch milliseconds. */
  readonly epochMs: number;
  /** Nanoseconds within that millisecond, 0–999,999. */
  readonly subMsNs: number;
}

/** Nanoseconds from `a` to `b` (negative when `b` is earlier). */
export function nsBetween(a: DockerInstant, b: DockerInstant): number {
  return (b.epochMs - a.epochMs) * 1e6 + (b.subMsNs - a.subMsNs);
}

/**
 * Parses an RFC 3339 timestamp with up to nanosecond fraction (`2017-12-06T00:42:03.8352972Z`).
 * Returns `null` for Go's zero time (`0001-01-01T00:00:00Z`, "never read"; any year before 1970
 * is treated the same), and undefined for anything unparseable.
 */
export function parseDockerTime(text: unknown): DockerInstant | null | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const year = Number(y);
  if (year < 1970) return null;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  let epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  if (!Number.isFinite(epochMs)) return undefined;
  const fracNs = frac === '' ? 0 : Number(frac.padEnd(9, '0'));
  epochMs += Math.floor(fracNs / 1e6);
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offsetMin = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
    epochMs -= sign * offsetMin * 60_000;
  }
  return { epochMs, subMsNs: fracNs % 1e6 };
}

// ---------------------------------------------------------------------------------------------
// Stats

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

/** A response that is not a stats object; `path` names the offending field. */
export interface ParseFailure {
  readonly status: 'error';
  readonly code: 'RS_ERR_PARSE_SHAPE';
  readonly message: string;
  readonly path?: string;
}

export type StatsParseResult = RunningStats | NotRunningStats | ParseFailure;

function shapeError(message: string, path?: string): ParseFailure {
  return path === undefined ? { status: 'error', code: 'RS_ERR_PARSE_SHAPE', message } : { status: 'error', code: 'RS_ERR_PARSE_SHAPE', message, path };
}

function readThrottling(cpuStats: Obj | undefined): ThrottlingCounters | undefined {
  const t = obj(cpuStats, 'throttling_data');
  if (!t) return undefined;
  const periods = count(t, 'periods');
  const throttledPeriods = count(t, 'throttled_periods');
  const throttledTimeNs = count(t, 'throttled_time');
  if (periods === undefined && throttledPeriods === undefined && throttledTimeNs === undefined) return undefined;
  return { periods, throttledPeriods, throttledTimeNs };
}

function readOnlineCpus(cpuStats: Obj | undefined): number | undefined {
  const online = count(cpuStats, 'online_cpus');
  if (online !== undefined && online >= 1) return online;
  const percpu = obj(cpuStats, 'cpu_usage')?.['percpu_usage'];
  if (Array.isArray(percpu) && percpu.length >= 1) return percpu.length;
  return undefined;
}

function readMemory(raw: unknown): MemoryReading | undefined {
  const mem = obj(raw, 'memory_stats');
  if (!mem) return undefined;
  const stats = obj(mem, 'stats');
  const windowsWs = count(mem, 'privateworkingset');
  const usageBytes = count(mem, 'usage') ?? windowsWs;
  if (usageBytes === undefined) return undefined;

  let workingSetBytes: number | undefined;
  let inactive: number | undefined;
  if (has(stats, 'total_inactive_file')) inactive = count(stats, 'total_inactive_file');
  else if (has(stats, 'inactive_file')) inactive = count(stats, 'inactive_file');
  else if (has(stats, 'cache')) inactive = count(stats, 'cache');
  if (inactive !== undefined) workingSetBytes = Math.max(0, usageBytes - inactive);
  else if (windowsWs !== undefined) workingSetBytes = windowsWs;

  let rssBytes: number | undefined;
  if (has(stats, 'total_rss')) rssBytes = count(stats, 'total_rss');
  else if (has(stats, 'anon')) rssBytes = count(stats, 'anon');
  else rssBytes = count(stats, 'rss');

  let limitBytes = count(mem, 'limit');
  const hierarchical = count(stats, 'hierarchical_memory_limit');
  if (limitBytes !== undefined && (limitBytes === 0 || limitBytes >= NO_LIMIT_BYTES)) limitBytes = undefined;
  if (hierarchical !== undefined && hierarchical >= NO_LIMIT_BYTES) limitBytes = undefined;

  const peakBytes = count(mem, 'max_usage');
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
 * - Not an object (array, string, Buffer of non-JSON, null) → `RS_ERR_PARSE_SHAPE`.
 * - `read` missing or unparseable → `RS_ERR_PARSE_SHAPE`; `read` = `0001-01-01T00:00:00Z` →
 *   `not_running` (an exited container answers with zeros and empty objects).
 * - `cpu_stats.cpu_usage.total_usage` not a finite non-negative number → `RS_ERR_PARSE_SHAPE`
 *   (a reading without its CPU counter is useless for rates and would hide a broken daemon).
 * - Every other field is optional: a missing or invalid one is absent, never 0 or NaN.
 *
 * MUST be pure: no clock, no I/O.
 */
export function parseStatsReading(raw: unknown): StatsParseResult {
  if (!isObj(raw)) return shapeError(`stats response is ${describe(raw)}, not an object`);
  const id = typeof raw['id'] === 'string' && CONTAINER_ID_PATTERN.test(raw['id']) ? raw['id'] : undefined;
  const name = str(raw, 'name', MAX_TEXT_LENGTH)?.replace(/^\//, '');
  const ident = { ...(id !== undefined && { id }), ...(name !== undefined && name !== '' && { name }) };

  const read = parseDockerTime(raw['read']);
  if (read === undefined) return shapeError('stats response has no valid `read` timestamp', 'read');
  if (read === null) return { status: 'not_running', ...ident };

  const cpuStats = obj(raw, 'cpu_stats');
  const totalUsageNs = count(obj(cpuStats, 'cpu_usage'), 'total_usage');
  if (totalUsageNs === undefined) return shapeError('stats response has no valid cpu_stats.cpu_usage.total_usage', 'cpu_stats.cpu_usage.total_usage');

  const memory = readMemory(raw);
  const systemUsageNs = count(cpuStats, 'system_cpu_usage');
  const onlineCpus = readOnlineCpus(cpuStats);
  const throttling = readThrottling(cpuStats);
  const cpu: CpuSnapshot = {
    read,
    totalUsageNs,
    ...(systemUsageNs !== undefined && { systemUsageNs }),
    ...(onlineCpus !== undefined && { onlineCpus }),
    ...(throttling !== undefined && { throttling }),
    ...(memory?.peakBytes !== undefined && { maxUsageBytes: memory.peakBytes }),
  };

  let previous: CpuSnapshot | undefined;
  const preread = parseDockerTime(raw['preread']);
  const preStats = obj(raw, 'precpu_stats');
  const preTotal = count(obj(preStats, 'cpu_usage'), 'total_usage');
  if (preread != null && nsBetween(preread, read) > 0 && preTotal !== undefined && preTotal > 0) {
    const preSystem = count(preStats, 'system_cpu_usage');
    const preOnline = readOnlineCpus(preStats);
    const preThrottling = readThrottling(preStats);
    previous = {
      read: preread,
      totalUsageNs: preTotal,
      ...(preSystem !== undefined && { systemUsageNs: preSystem }),
      ...(preOnline !== undefined && { onlineCpus: preOnline }),
      ...(preThrottling !== undefined && { throttling: preThrottling }),
    };
  }

  const processCount = count(obj(raw, 'pids_stats'), 'current');
  return {
    status: 'running',
    ...ident,
    cpu,
    ...(memory !== undefined && { memory }),
    ...(processCount !== undefined && { processCount }),
    ...(previous !== undefined && { previous }),
  };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return `${v.length} bytes of non-JSON`;
  return `a ${typeof v}`;
}

// ---------------------------------------------------------------------------------------------
// CPU rate from two readings

/** Why a pair of readings gave no CPU figure. */
export type CpuSkipReason =
  /** No earlier reading of this container yet. */
  | 'first_reading'
  /** A counter went backwards or time did not advance (restart with the same id, daemon restart, clock step back). */
  | 'counter_reset'
  /** The rate exceeds the host's CPUs: the counters cannot belong to one uninterrupted run. */
  | 'implausible_rate'
  /** The daemon's clock moved very differently from the collector's between the readings. */
  | 'clock_jump';

/** CPU usage over the window between two readings. */
export interface CpuFigure {
  readonly ok: true;
  /** Average cores used over the window (1.0 = one full core). Finite and ≥ 0. */
  readonly cores: number;
  /** The window (Δ`read`), ms. */
  readonly intervalMs: number;
  /** Deltas of the throttling counters over the window, when both readings have them. */
  readonly throttled?: { readonly periods?: number; readonly timeMs?: number; readonly totalPeriods?: number };
}

export type CpuResult = CpuFigure | { readonly ok: false; readonly reason: CpuSkipReason };

/** Options of {@link containerCpuCores}. */
export interface CpuRateOptions {
  /**
   * The same window measured on the collector's clock (time between receiving the two
   * readings), ms. When given, a daemon window that differs from it by more than
   * `max(maxClockDisagreementMs, 25 %)` yields `clock_jump` instead of a figure.
   */
  readonly observedIntervalMs?: number;
  /** @defaultValue 10_000 ms: larger than any per-call timeout, so request latency never trips it. */
  readonly maxClockDisagreementMs?: number;
  /**
   * The engine reported a `start` of this container between the two readings (see
   * {@link startedBetween}): the counters belong to different runs → `counter_reset`, even when
   * the new run has already used more CPU than the old one (which the counters alone cannot see).
   */
  readonly restartedBetween?: boolean;
}

/**
 * Average cores a container used between two readings:
 *
 *     cores = Δ cpu_usage.total_usage [ns] / Δ read [ns]
 *
 * Why Δ`read` (the daemon's wall clock) and not the Docker CLI's
 * `Δtotal / Δsystem_cpu_usage × online_cpus`: one-shot readings carry no `precpu_stats`, so the
 * window is ours to choose, and the wall clock is the direct measure of it. `system_cpu_usage`
 * comes from `/proc/stat` in 10 ms ticks summed over CPUs, is absent on Windows and in one-shot
 * `precpu_stats`, and its CPU count is absent before API 1.27 (`percpu_usage.length` then counts
 * offline CPUs too). Both agree to within a fraction of a percent where both apply; see
 * {@link dockerCliCores} for the cross-check.
 *
 * Worked example (docker-java API 1.27 capture, the daemon's own pair `preread` → `read`):
 * read 00:42:03.8352972, preread 00:42:02.8366736 → Δwall = 998,623,600 ns;
 * total_usage 212,198,028 − 211,307,214 = 890,814 ns → 890,814 / 998,623,600 = 0.000892 cores.
 * The CLI formula gives 890,814 / 3,990,000,000 × 4 = 0.000893 cores.
 *
 * Recorded on the engine here (test/fixtures/docker/recorded, `workload --cpu 0.5`, two one-shot
 * readings): 1,011,390,345 ns / 2,024,588,321 ns = 0.4996 cores; the daemon's own ~1 s pair in
 * the same run gives 0.4991 by Δ`read` but 0.5170 by the CLI formula, whose `system_cpu_usage`
 * moves in 10 ms ticks (1.94 s of host CPU counted for 2 × 1.005 s).
 *
 * Rules: no previous reading → `first_reading`; Δwall ≤ 0 or any cumulative counter
 * (total_usage, throttling counters, v1 max_usage) lower than before → `counter_reset`; a rate
 * above the host's CPU count (+5 %) → `implausible_rate`. The result is never negative, NaN or
 * Infinity. A long gap between readings (daemon away for a while) simply widens the window: the
 * figure is then the correct average over the gap.
 *
 * MUST be pure.
 */
export function containerCpuCores(prev: CpuSnapshot | undefined, cur: CpuSnapshot, options: CpuRateOptions = {}): CpuResult {
  if (prev === undefined) return { ok: false, reason: 'first_reading' };
  if (options.restartedBetween === true) return { ok: false, reason: 'counter_reset' };
  const wallNs = nsBetween(prev.read, cur.read);
  const wallMs = wallNs / 1e6;
  const usedNs = cur.totalUsageNs - prev.totalUsageNs;
  if (!(wallNs > 0) || !Number.isFinite(wallNs) || !(usedNs >= 0) || !Number.isFinite(usedNs)) return { ok: false, reason: 'counter_reset' };
  if (cur.maxUsageBytes !== undefined && prev.maxUsageBytes !== undefined && cur.maxUsageBytes < prev.maxUsageBytes) {
    return { ok: false, reason: 'counter_reset' };
  }
  const dPeriods = delta(prev.throttling?.periods, cur.throttling?.periods);
  const dThrottled = delta(prev.throttling?.throttledPeriods, cur.throttling?.throttledPeriods);
  const dThrottledNs = delta(prev.throttling?.throttledTimeNs, cur.throttling?.throttledTimeNs);
  if (dPeriods === null || dThrottled === null || dThrottledNs === null) return { ok: false, reason: 'counter_reset' };

  const observed = options.observedIntervalMs;
  if (observed !== undefined && Number.isFinite(observed) && observed >= 0) {
    const allowed = Math.max(options.maxClockDisagreementMs ?? 10_000, 0.25 * observed);
    if (Math.abs(wallMs - observed) > allowed) return { ok: false, reason: 'clock_jump' };
  }

  const cores = usedNs / wallNs;
  if (!Number.isFinite(cores)) return { ok: false, reason: 'counter_reset' };
  const cpus = cur.onlineCpus ?? prev.onlineCpus;
  if (cpus !== undefined && cores > cpus * 1.05) return { ok: false, reason: 'implausible_rate' };

  const throttled =
    dPeriods === undefined && dThrottled === undefined && dThrottledNs === undefined
      ? undefined
      : {
          ...(dThrottled !== undefined && { periods: dThrottled }),
          ...(dThrottledNs !== undefined && { timeMs: dThrottledNs / 1e6 }),
          ...(dPeriods !== undefined && { totalPeriods: dPeriods }),
        };
  return { ok: true, cores, intervalMs: wallMs, ...(throttled !== undefined && { throttled }) };
}

/** Δ of a cumulative counter: undefined when either side is unknown, null when it went backwards. */
function delta(prev: number | undefined, cur: number | undefined): number | undefined | null {
  if (prev === undefined || cur === undefined) return undefined;
  return cur < prev ? null : cur - prev;
}

// ---------------------------------------------------------------------------------------------
// Events (restart detection)

/** A container `start` event from `GET /events` (daemon clock, exact to the nanosecond). */
export interface StartEvent {
  readonly id: string;
  readonly at: DockerInstant;
}

/** A container `die` or `oom` event (daemon clock). `exitCode` only on `die`. */
export interface ExitEvent {
  readonly id: string;
  readonly action: 'die' | 'oom';
  readonly at: DockerInstant;
  readonly exitCode?: number;
}

/** One line of an events answer → its parts, or undefined when it is not a container event of a valid id. */
function eventLine(text: string): { id: string; action: unknown; at: DockerInstant; attributes: Record<string, unknown> | undefined } | undefined {
  let ev: unknown;
  try {
    ev = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(ev)) return undefined;
  const actor = obj(ev, 'Actor');
  const id = ev['id'] ?? actor?.['ID'];
  const digits = /"timeNano"\s*:\s*(\d{7,19})\b/.exec(text)?.[1];
  if (typeof id !== 'string' || !CONTAINER_ID_PATTERN.test(id) || digits === undefined) return undefined;
  const attributes = actor !== undefined ? obj(actor, 'Attributes') : undefined;
  return { id, action: ev['Action'] ?? ev['status'], at: { epochMs: Number(digits.slice(0, -6)), subMsNs: Number(digits.slice(-6)) }, attributes };
}

/**
 * Parses the body of `GET /events?since=…&until=…&filters={"type":["container"],"event":["start"]}`:
 * one JSON object per line. `timeNano` is read from the text digits, because a JSON number of
 * 19 digits loses its last ones in a double. Lines that are not start events of a valid id are
 * ignored (and counted).
 */
export function parseStartEvents(body: string): { readonly events: readonly StartEvent[]; readonly ignored: number } {
  const events: StartEvent[] = [];
  let ignored = 0;
  for (const line of body.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    const ev = eventLine(text);
    if (ev === undefined || ev.action !== 'start') {
      ignored++;
      continue;
    }
    events.push({ id: ev.id, at: ev.at });
  }
  return { events, ignored };
}

/**
 * Parses the body of `GET /events?…&filters={"type":["container"],"event":["die","oom"]}`.
 * `die` carries `Actor.Attributes.exitCode` (a decimal string); `oom` is sent when the kernel
 * OOM killer hit a process of the container (Engine API "System events"). Other lines are
 * ignored (and counted).
 */
export function parseExitEvents(body: string): { readonly events: readonly ExitEvent[]; readonly ignored: number } {
  const events: ExitEvent[] = [];
  let ignored = 0;
  for (const line of body.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    const ev = eventLine(text);
    if (ev === undefined || (ev.action !== 'die' && ev.action !== 'oom')) {
      ignored++;
      continue;
    }
    const code = ev.attributes?.['exitCode'];
    const exitCode = typeof code === 'string' && /^-?\d{1,10}$/.test(code) ? Number(code) : typeof code === 'number' && Number.isInteger(code) ? code : undefined;
    events.push({ id: ev.id, action: ev.action, at: ev.at, ...(ev.action === 'die' && exitCode !== undefined && { exitCode }) });
  }
  return { events, ignored };
}

/** How a container ended, from its exit events or its inspect `State`. */
export interface ContainerExit {
  /** When it ended (daemon clock), epoch ms. */
  readonly atMs: number;
  readonly exitCode?: number;
  readonly oomKilled: boolean;
}

/**
 * The exit of container `id` from the events of a window: the newest `die`, OOM-killed when an
 * `oom` event of the same container came before it (the kernel kills, then the process dies).
 * Undefined when the window holds no `die` of it.
 */
export function exitFromEvents(events: readonly ExitEvent[], id: string): ContainerExit | undefined {
  const mine = events.filter((e) => e.id === id || e.id.startsWith(id) || id.startsWith(e.id));
  let die: ExitEvent | undefined;
  for (const e of mine) if (e.action === 'die' && (die === undefined || nsBetween(die.at, e.at) > 0)) die = e;
  if (die === undefined) return undefined;
  const d = die;
  const oom = mine.some((e) => e.action === 'oom' && nsBetween(e.at, d.at) >= 0);
  return { atMs: d.at.epochMs, oomKilled: oom, ...(d.exitCode !== undefined && { exitCode: d.exitCode }) };
}

/** True when `events` holds a start of container `id` after `prev` and no later than `cur`. */
export function startedBetween(events: readonly StartEvent[], id: string, prev: DockerInstant, cur: DockerInstant): boolean {
  return events.some((e) => (e.id === id || e.id.startsWith(id) || id.startsWith(e.id)) && nsBetween(prev, e.at) > 0 && nsBetween(e.at, cur) >= 0);
}

/** Formats an instant as the Engine API's `since`/`until` (`<seconds>.<9-digit nanoseconds>`). */
export function formatDockerTimestamp(at: DockerInstant): string {
  const seconds = Math.floor(at.epochMs / 1000);
  const ns = (at.epochMs - seconds * 1000) * 1e6 + at.subMsNs;
  return `${seconds}.${String(ns).padStart(9, '0')}`;
}

/**
 * The Docker CLI's figure for the same window, `Δtotal / Δsystem × online_cpus` (its "CPU %"
 * divided by 100), for cross-checking {@link containerCpuCores}. Undefined when either reading
 * lacks `system_cpu_usage` or the CPU count, or when a delta is not positive.
 */
export function dockerCliCores(prev: CpuSnapshot, cur: CpuSnapshot): number | undefined {
  if (prev.systemUsageNs === undefined || cur.systemUsageNs === undefined) return undefined;
  const cpus = cur.onlineCpus ?? prev.onlineCpus;
  const dSystem = cur.systemUsageNs - prev.systemUsageNs;
  const dTotal = cur.totalUsageNs - prev.totalUsageNs;
  if (cpus === undefined || !(dSystem > 0) || !(dTotal >= 0)) return undefined;
  const cores = (dTotal / dSystem) * cpus;
  return Number.isFinite(cores) ? cores : undefined;
}

// ---------------------------------------------------------------------------------------------
// Inspect

/** What rightsize takes from `GET /containers/{id}/json`. */
export interface InspectInfo {
  readonly id?: string;
  readonly name?: string;
  readonly imageName?: string;
  /** Cores the container may use: `NanoCpus / 1e9`, else `CpuQuota / CpuPeriod`. Absent when unlimited. */
  readonly cpuLimitCores?: number;
  /** `HostConfig.Memory`, bytes; absent when 0 (unlimited). */
  readonly memoryLimitBytes?: number;
  /** `State.OOMKilled`: the last run of the container ended with the OOM killer. */
  readonly oomKilled?: boolean;
  /** `State.StartedAt`, whole epoch ms (changes when the container restarts). */
  readonly startedAtMs?: number;
  /** `State.Status` (`running`, `exited`, …). */
  readonly status?: string;
  /** `State.ExitCode` and `State.FinishedAt` (whole epoch ms), once the container has exited. */
  readonly exitCode?: number;
  readonly finishedAtMs?: number;
  /** `Config.Labels` with dots in keys replaced by `_`, lengths capped. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly mesos?: MesosIdentity;
  readonly jenkins?: JenkinsIdentity;
}

export type InspectParseResult = { readonly status: 'ok'; readonly info: InspectInfo } | ParseFailure;

/** CFS period the kernel uses when `CpuPeriod` is 0 (µs). */
export const DEFAULT_CFS_PERIOD_US = 100_000;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;

/**
 * Mesos identity from a Docker container name. The Mesos Docker containerizer names containers
 * `mesos-<ContainerID>` (before 0.23 and again in 1.x) or `mesos-<SlaveID>.<ContainerID>`
 * (0.23+; a third `.executor` part for the executor's own container), and, like Mesos itself
 * (`docker.cpp` `parse()`), only accepts a UUID as the ContainerID, so a hand-made
 * `mesos-slave` container is not mistaken for a Mesos one.
 */
export function mesosIdentityFromName(rawName: string): { readonly agentId?: string; readonly containerId: string } | undefined {
  const name = rawName.startsWith('/') ? rawName.slice(1) : rawName;
  if (!name.startsWith('mesos-')) return undefined;
  const parts = name.slice('mesos-'.length).split('.');
  if (parts.length === 1 && UUID_PATTERN.test(parts[0] ?? '')) return { containerId: parts[0] ?? '' };
  if (parts.length === 2 || parts.length === 3) {
    const [agentId = '', containerId = ''] = parts;
    if (UUID_PATTERN.test(containerId) && SAFE_ID_PATTERN.test(agentId)) return { agentId, containerId };
  }
  return undefined;
}

function envMap(config: Obj | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const env = config?.['Env'];
  if (!Array.isArray(env)) return out;
  for (const entry of env.slice(0, 4096)) {
    if (typeof entry !== 'string') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1).trim();
    if (value !== '' && !out.has(key)) out.set(key, capText(value, MAX_TEXT_LENGTH));
  }
  return out;
}

/**
 * Copies `Config.Labels` for `container.labels`: dots in keys become `_` (Elasticsearch would
 * otherwise read `a.b` as an object path, and `a` and `a.b` would collide), keys are capped at
 * {@link MAX_LABEL_KEY_LENGTH}, values at {@link MAX_TEXT_LENGTH}, at most {@link MAX_LABELS}
 * labels; non-string values and empty keys are dropped. Keys such as `__proto__` become plain
 * own properties.
 */
export function sanitizeLabels(raw: unknown): Readonly<Record<string, string>> | undefined {
  if (!isObj(raw)) return undefined;
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const key of Object.keys(raw).sort()) {
    if (entries.length >= MAX_LABELS) break;
    const value = raw[key];
    if (typeof value !== 'string') continue;
    // eslint-disable-next-line no-control-regex
    const clean = capText(key.replace(/[.\u0000-\u001f]/g, '_'), MAX_LABEL_KEY_LENGTH);
    if (clean.trim() === '' || /^_+$/.test(clean) || seen.has(clean)) continue;
    seen.add(clean);
    entries.push([clean, capText(value, MAX_TEXT_LENGTH)]);
  }
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function safeId(value: string | undefined): string | undefined {
  return value !== undefined && SAFE_ID_PATTERN.test(value) ? value : undefined;
}

function compact<T extends object>(o: T): T | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

/**
 * Parses `GET /containers/{id}/json` (inspect) into limits and identity.
 *
 * - CPU limit: `HostConfig.NanoCpus / 1e9` (API ≥ 1.25), else `CpuQuota / CpuPeriod` (both µs;
 *   a `CpuPeriod` of 0 means the kernel default 100,000 µs); absent when neither is set.
 *   `CpuShares` is a relative weight, not a limit, and is ignored.
 * - Memory limit: `HostConfig.Memory` bytes; 0 means unlimited → absent.
 * - Mesos identity: the name (see {@link mesosIdentityFromName}), then `Config.Env`
 *   `MESOS_TASK_ID`, `MESOS_CONTAINER_NAME`, `MESOS_FRAMEWORK_ID`, `MESOS_EXECUTOR_ID`,
 *   `MESOS_AGENT_ID` / `MESOS_SLAVE_ID` (env wins over the name for the agent).
 * - Jenkins identity from the build environment: `JENKINS_URL`, `NODE_NAME`, `NODE_LABELS`
 *   (first label), `JOB_NAME`, `BUILD_NUMBER` (a positive integer, else absent).
 *
 * MUST be pure.
 */
export function parseInspect(raw: unknown): InspectParseResult {
  if (!isObj(raw)) return shapeError(`inspect response is ${describe(raw)}, not an object`);
  const hostConfig = obj(raw, 'HostConfig');
  const config = obj(raw, 'Config');
  const state = obj(raw, 'State');
  const id = typeof raw['Id'] === 'string' && CONTAINER_ID_PATTERN.test(raw['Id']) ? raw['Id'] : undefined;
  if (id === undefined && hostConfig === undefined && config === undefined) return shapeError('inspect response has neither Id, Config nor HostConfig');
  const rawName = str(raw, 'Name', MAX_TEXT_LENGTH);
  const name = rawName?.replace(/^\//, '');

  let cpuLimitCores: number | undefined;
  const nano = count(hostConfig, 'NanoCpus');
  const quota = count(hostConfig, 'CpuQuota');
  const period = count(hostConfig, 'CpuPeriod');
  if (nano !== undefined && nano > 0) cpuLimitCores = nano / 1e9;
  else if (quota !== undefined && quota > 0) cpuLimitCores = quota / (period !== undefined && period > 0 ? period : DEFAULT_CFS_PERIOD_US);
  const memory = count(hostConfig, 'Memory');
  const memoryLimitBytes = memory !== undefined && memory > 0 && memory < NO_LIMIT_BYTES ? memory : undefined;

  const oom = state?.['OOMKilled'];
  const started = parseDockerTime(state?.['StartedAt']);
  const finished = parseDockerTime(state?.['FinishedAt']);
  const status = str(state, 'Status', 32);
  const exitCode = state?.['ExitCode'];
  const env = envMap(config);

  const fromName = rawName !== undefined ? mesosIdentityFromName(rawName) : undefined;
  const envContainer = env.get('MESOS_CONTAINER_NAME');
  const fromEnvName = envContainer !== undefined ? mesosIdentityFromName(envContainer) : undefined;
  const mesos = compact<MesosIdentity>({
    agent: compact({ id: safeId(env.get('MESOS_AGENT_ID') ?? env.get('MESOS_SLAVE_ID')) ?? fromName?.agentId ?? fromEnvName?.agentId }),
    framework: compact({ id: safeId(env.get('MESOS_FRAMEWORK_ID')) }),
    executor: compact({ id: env.get('MESOS_EXECUTOR_ID') }),
    task: compact({ id: env.get('MESOS_TASK_ID') }),
    container: compact({ id: fromName?.containerId ?? fromEnvName?.containerId }),
  });

  const buildText = env.get('BUILD_NUMBER');
  const buildNumber = buildText !== undefined && /^[1-9]\d{0,14}$/.test(buildText) ? Number(buildText) : undefined;
  const firstLabel = env.get('NODE_LABELS')?.split(/\s+/).find((l) => l !== '');
  const jenkins = compact<JenkinsIdentity>({
    url: env.get('JENKINS_URL'),
    node: compact({ name: env.get('NODE_NAME') }),
    label: firstLabel,
    job: compact({ name: env.get('JOB_NAME') }),
    build: compact({ number: buildNumber }),
  });

  const imageName = str(config, 'Image', MAX_TEXT_LENGTH);
  const labels = sanitizeLabels(config?.['Labels']);
  const info: InspectInfo = {
    ...(id !== undefined && { id }),
    ...(name !== undefined && name !== '' && { name }),
    ...(imageName !== undefined && { imageName }),
    ...(cpuLimitCores !== undefined && Number.isFinite(cpuLimitCores) && { cpuLimitCores }),
    ...(memoryLimitBytes !== undefined && { memoryLimitBytes }),
    ...(typeof oom === 'boolean' && { oomKilled: oom }),
    ...(started != null && { startedAtMs: started.epochMs }),
    ...(status !== undefined && { status }),
    ...(status === 'exited' && typeof exitCode === 'number' && Number.isInteger(exitCode) && { exitCode }),
    ...(status === 'exited' && finished != null && { finishedAtMs: finished.epochMs }),
    ...(labels !== undefined && { labels }),
    ...(mesos !== undefined && { mesos }),
    ...(jenkins !== undefined && { jenkins }),
  };
  return { status: 'ok', info };
}

// ---------------------------------------------------------------------------------------------
// Container list

/** One entry of `GET /containers/json`. */
export interface ListedContainer {
  readonly id: string;
  readonly name?: string;
  readonly imageName?: string;
  /** `State` (API ≥ 1.23), lower-cased: `running`, `exited`, ... Absent on older APIs. */
  readonly state?: string;
}

export interface ContainerListResult {
  readonly containers: readonly ListedContainer[];
  /** Entries that could not be used (no valid `Id`), by index. */
  readonly errors: readonly ParseFailure[];
}

/**
 * Parses `GET /containers/json`. A response that is not an array is a {@link ParseFailure}; an
 * entry without a valid hex `Id` is an error for that entry only (it never reaches a URL).
 */
export function parseContainerList(raw: unknown): ContainerListResult | ParseFailure {
  if (!Array.isArray(raw)) return shapeError(`container list is ${describe(raw)}, not an array`);
  const containers: ListedContainer[] = [];
  const errors: ParseFailure[] = [];
  raw.forEach((entry: unknown, i) => {
    const id = isObj(entry) ? entry['Id'] : undefined;
    if (typeof id !== 'string' || !CONTAINER_ID_PATTERN.test(id)) {
      errors.push(shapeError(`container list entry ${i} has no valid Id`, `[${i}].Id`));
      return;
    }
    const names = isObj(entry) ? entry['Names'] : undefined;
    const first = Array.isArray(names) && typeof names[0] === 'string' ? capText(names[0].replace(/^\//, ''), MAX_TEXT_LENGTH) : undefined;
    const imageName = str(entry, 'Image', MAX_TEXT_LENGTH);
    const state = str(entry, 'State', 64)?.toLowerCase();
    containers.push({
      id,
      ...(first !== undefined && first !== '' && { name: first }),
      ...(imageName !== undefined && { imageName }),
      ...(state !== undefined && { state }),
    });
  });
  return { containers, errors };
}

// ---------------------------------------------------------------------------------------------
// Document

/** Everything {@link toContainerDoc} combines into one document. */
export interface ContainerDocInput {
  /** The container id (from the list; the stats body's `id` is not always present). */
  readonly containerId: string;
  readonly reading: RunningStats;
  readonly cpu: CpuResult;
  readonly inspect?: InspectInfo;
  readonly listed?: ListedContainer;
  /** When the reading was received, epoch ms on the collector's clock (becomes `@timestamp`). */
  readonly nowMs: number;
  /** The engine endpoint, already redacted. */
  readonly endpoint: string;
  /** The engine's host name (`GET /info` → `Name`), when known. */
  readonly hostName?: string;
  /**
   * `max_usage` of the previous reading of the same run (undefined on a first reading or after
   * a reset). `memory.peak_bytes` is the peak *since the previous sample*: the cgroup v1
   * `max_usage` is a high-water mark since the container started, so it is that peak only when it
   * rose since the previous reading (a new maximum was set in the interval); otherwise the
   * interval's peak is unknown and `peak_bytes` is absent. On a first reading the interval is
   * the whole run so far and `max_usage` is reported as is.
   */
  readonly previousMaxUsageBytes?: number;
}

function peakSincePrevious(maxUsage: number | undefined, previousMax: number | undefined): number | undefined {
  if (maxUsage === undefined || previousMax === undefined) return maxUsage;
  return maxUsage > previousMax ? maxUsage : undefined;
}

function finite(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * Builds the `docker.container` {@link ContainerDoc}. `@timestamp` is the collector's clock at
 * receipt so every source shares one clock; the CPU window (`cpu.interval_ms`) is the daemon's
 * own Δ`read`. Limits come from inspect when known (authoritative: what the container was
 * started with); without inspect, the memory limit falls back to the stats `limit`. Every
 * number is finite or absent.
 *
 * MUST be pure.
 */
export function toContainerDoc(input: ContainerDocInput): ContainerDoc {
  const { reading, cpu, inspect, listed } = input;
  const name = inspect?.name ?? listed?.name ?? reading.name;
  const imageName = inspect?.imageName ?? listed?.imageName;
  const mem = reading.memory;
  const memoryLimit = inspect !== undefined ? inspect.memoryLimitBytes : mem?.limitBytes;

  const cpuPart = compact({
    cores: cpu.ok ? finite(cpu.cores) : undefined,
    limit_cores: finite(inspect?.cpuLimitCores),
    interval_ms: cpu.ok ? roundMs(finite(cpu.intervalMs)) : undefined,
    // cores × window: what a build summary sums (Elasticsearch here has no scripts to multiply).
    core_seconds: cpu.ok ? finite((cpu.cores * cpu.intervalMs) / 1000) : undefined,
    throttled: cpu.ok && cpu.throttled ? compact({ periods: finite(cpu.throttled.periods), time_ms: roundMs(finite(cpu.throttled.timeMs)) }) : undefined,
  });
  const memoryPart = compact({
    working_set_bytes: finite(mem?.workingSetBytes),
    rss_bytes: finite(mem?.rssBytes),
    usage_bytes: finite(mem?.usageBytes),
    limit_bytes: finite(memoryLimit),
    peak_bytes: finite(peakSincePrevious(mem?.peakBytes, input.previousMaxUsageBytes)),
  });
  const processCount = finite(reading.processCount);

  return {
    ...containerHead(input.nowMs, { ...input, ...(name !== undefined && { name }), ...(imageName !== undefined && { imageName }) }),
    ...(cpuPart !== undefined && { cpu: cpuPart }),
    ...(memoryPart !== undefined && { memory: memoryPart }),
    ...(processCount !== undefined && { process: { count: processCount } }),
  };
}

/** The exit of a container from its inspect, when it has exited (`State.Status` `exited`). */
export function exitFromInspect(info: InspectInfo): ContainerExit | undefined {
  if (info.status !== 'exited' || info.finishedAtMs === undefined) return undefined;
  return { atMs: info.finishedAtMs, oomKilled: info.oomKilled === true, ...(info.exitCode !== undefined && { exitCode: info.exitCode }) };
}

/**
 * The one final document of a container that exited: identity as on its readings (from the
 * inspect taken while it ran), `@timestamp` = when it ended, `container.exit_code` and
 * `container.oom_killed`; no CPU or memory figures (nothing was measured). A build summary reads
 * the OOM kill from it (Mesos' `/master/state` does not carry the status reason).
 */
export function toExitDoc(input: {
  readonly containerId: string;
  readonly exit: ContainerExit;
  readonly endpoint: string;
  readonly inspect?: InspectInfo;
  readonly name?: string;
  readonly imageName?: string;
  readonly hostName?: string;
}): ContainerDoc {
  const { inspect, exit } = input;
  const name = inspect?.name ?? input.name;
  const imageName = inspect?.imageName ?? input.imageName;
  const head = containerHead(exit.atMs, { ...input, ...(name !== undefined && { name }), ...(imageName !== undefined && { imageName }) });
  return { ...head, container: { ...head.container, ...(exit.exitCode !== undefined && { exit_code: exit.exitCode }), oom_killed: exit.oomKilled } };
}

/** What every Docker container document starts with: time, dataset, host, source, container identity, Mesos and Jenkins identity. */
function containerHead(
  atMs: number,
  input: {
    readonly containerId: string;
    readonly endpoint: string;
    readonly hostName?: string;
    readonly name?: string;
    readonly imageName?: string;
    readonly inspect?: InspectInfo;
  },
): ContainerDoc {
  const { inspect, name, imageName } = input;
  return {
    '@timestamp': new Date(atMs).toISOString(),
    event: { dataset: 'docker.container', module: 'docker' },
    ...(input.hostName !== undefined && input.hostName !== '' && { host: { name: input.hostName } }),
    service: { address: input.endpoint },
    container: {
      id: input.containerId,
      ...(name !== undefined && { name }),
      ...(imageName !== undefined && { image: { name: imageName } }),
      runtime: 'docker',
      ...(inspect?.labels !== undefined && { labels: inspect.labels }),
    },
    ...(inspect?.mesos !== undefined && { mesos: inspect.mesos }),
    ...(inspect?.jenkins !== undefined && { jenkins: inspect.jenkins }),
  };
}

/** `*_ms` fields are mapped as `long`: print them as Elasticsearch will store them. */
function roundMs(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms);
}
