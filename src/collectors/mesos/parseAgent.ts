import type { CollectError, ContainerDoc } from '../../model/index.js';
import { MAX_COUNT, MAX_HOST_CPUS, MAX_MEMORY_BYTES, MAX_PROCESS_COUNT } from '../../util/bounds.js';
import { done, FieldReader, isRecord, type ParseResult } from '../../util/json.js';
import { marathonAppIdOf } from './marathon.js';
import { addTask, compact, iso, parseResources, parseTask, readId } from './parseCommon.js';
import type { AgentExecutorInfo, AgentStateInfo, CpuRate, ExecutorReading, ExecutorStatistics, MesosTaskInfo } from './types.js';

/**
 * Pure parsers of a Mesos agent's endpoints (`/monitor/statistics`, `/containers`, `/state`) and
 * the arithmetic of an executor document (CPU rate, working set): raw JSON in, typed values and
 * documents out, problems as data. No I/O, no clock: `nowMs` is passed in.
 */
/*
 * Sources: apache/mesos `docs/monitoring.md` (snapshot keys; memory and disk in MB),
 * `src/master/http.cpp` and `src/slave/http.cpp` help strings, `include/mesos/mesos.proto`
 * (`ResourceStatistics`), and the captures listed in real-captures/PROVENANCE.md.
 */

// ---------------------------------------------------------------------------------------------
// Agent /monitor/statistics and /containers

/** Largest Mesos `timestamp` (epoch seconds): the end of year 9999. */
const MAX_EPOCH_SECS = 253_402_300_799;
/** Largest cumulative CPU or throttled seconds: × 1000 (as `time_ms`) it still fits a `long` exactly. */
const MAX_CPU_SECS = MAX_COUNT / 1000;

/**
 * Each statistic, its Mesos key, the most a host can report for it, and whether it is a whole
 * number (byte counts and counters are `uint64` in mesos.proto: a fraction such as 5e-324 is a
 * broken answer, and it reached `memory.limit_bytes`, a `long`, before the fuzz of fault case 5).
 */
const STAT_KEYS: ReadonlyArray<readonly [keyof ExecutorStatistics, string, number, 'whole' | 'real']> = [
  ['timestampSecs', 'timestamp', MAX_EPOCH_SECS, 'real'],
  ['cpusUserTimeSecs', 'cpus_user_time_secs', MAX_CPU_SECS, 'real'],
  ['cpusSystemTimeSecs', 'cpus_system_time_secs', MAX_CPU_SECS, 'real'],
  ['cpusLimit', 'cpus_limit', MAX_HOST_CPUS, 'real'],
  ['cpusNrPeriods', 'cpus_nr_periods', MAX_COUNT, 'whole'],
  ['cpusNrThrottled', 'cpus_nr_throttled', MAX_COUNT, 'whole'],
  ['cpusThrottledTimeSecs', 'cpus_throttled_time_secs', MAX_CPU_SECS, 'real'],
  ['memRssBytes', 'mem_rss_bytes', MAX_MEMORY_BYTES, 'whole'],
  ['memTotalBytes', 'mem_total_bytes', MAX_MEMORY_BYTES, 'whole'],
  ['memFileBytes', 'mem_file_bytes', MAX_MEMORY_BYTES, 'whole'],
  ['memCacheBytes', 'mem_cache_bytes', MAX_MEMORY_BYTES, 'whole'],
  ['memLimitBytes', 'mem_limit_bytes', MAX_MEMORY_BYTES, 'whole'],
  ['processes', 'processes', MAX_PROCESS_COUNT, 'whole'],
];

/**
 * Agent `/monitor/statistics` (or `/containers`, which adds `container_id`) → one reading per
 * executor. An entry without `statistics` (a finished container) is skipped and counted
 * (`no_statistics`); an entry without framework or executor id is an error. The v1
 * `GET_CONTAINERS` shape (`resource_statistics`, ids as `{value}`) is read too.
 */
export function parseAgentStatistics(body: unknown, ctx: { readonly target: string }): ParseResult<ExecutorReading[]> {
  const fr = new FieldReader(ctx.target);
  let entries: unknown[];
  if (Array.isArray(body)) entries = body;
  else if (isRecord(body) && isRecord(body['get_containers']) && Array.isArray(body['get_containers']['containers'])) entries = body['get_containers']['containers'];
  else {
    fr.issue('/monitor/statistics is not a JSON array');
    return done([], fr);
  }
  const readings: ExecutorReading[] = [];
  for (const e of entries) {
    if (!isRecord(e)) {
      fr.issue('statistics entry is not an object');
      continue;
    }
    const executorId = readId(fr, e, 'executor_id', 'executor');
    const frameworkId = readId(fr, e, 'framework_id', 'executor');
    if (executorId === undefined || executorId === '' || frameworkId === undefined || frameworkId === '') {
      fr.issue('statistics entry without executor_id or framework_id', executorId ?? 'executor');
      continue;
    }
    const subject = `executor ${executorId}`;
    const raw = e['statistics'] ?? e['resource_statistics'];
    if (raw === undefined || raw === null) {
      fr.skip('no_statistics');
      continue;
    }
    if (!isRecord(raw)) {
      fr.issue('statistics is not an object', subject);
      continue;
    }
    const stats: Record<string, number> = {};
    for (const [name, key, max, kind] of STAT_KEYS) {
      const v = kind === 'whole' ? fr.whole(raw, key, max, `${subject}.${key}`) : fr.bounded(raw, key, max, `${subject}.${key}`);
      if (v !== undefined) stats[name] = v;
    }
    const containerId = readId(fr, e, 'container_id', subject);
    const executorName = fr.str(e, 'executor_name', subject);
    const source = fr.str(e, 'source', subject);
    readings.push({
      frameworkId,
      executorId,
      ...(executorName !== undefined ? { executorName } : {}),
      ...(source !== undefined ? { source } : {}),
      ...(containerId !== undefined ? { containerId } : {}),
      statistics: stats,
    });
  }
  return done(readings, fr);
}

/** How far above its hard memory limit a working set may be read (page rounding) before it is rejected. */
export const MEMORY_LIMIT_TOLERANCE = 1.02;

/** How far above its CFS quota a rate between two readings may be (timestamp jitter) before it is rejected. */
export const CFS_RATE_TOLERANCE = 1.1;

/**
 * Average cores used between two readings of one executor:
 * Δ(`cpus_user_time_secs` + `cpus_system_time_secs`) / Δ`timestamp`.
 *
 * Never negative, never NaN: no previous reading → `first_reading`; a counter or timestamp
 * missing → `missing_counters`; Δt ≤ 0 → `non_increasing_time`; CPU seconds going backwards
 * (the executor restarted under the same id) → `counter_reset`. A rate above the CFS quota
 * (`cpus_limit` × {@link CFS_RATE_TOLERANCE}) while the quota is enforced (`cpus_nr_periods`
 * advanced) cannot be real: one of the readings is somebody else's counters → `implausible_rate`.
 * (With shares only, no `nr_periods`, a container may legitimately use more than its limit.)
 * Whatever the quota, no container uses more cores than its host has: a rate above `hostCpus`
 * (the agent's advertised `cpus`, else {@link MAX_HOST_CPUS}) × {@link CFS_RATE_TOLERANCE}, e.g.
 * after `cpus_user_time_secs` jumped 1 → 1e15, is `out_of_range` (an item error for the caller).
 *
 * @example prev user 26.25 + sys 55.99 at t=1403819237.307, cur user 26.35 + sys 56.09 at
 *          t=1403819247.307 → 0.2 CPU-s / 10 s = 0.02 cores, interval 10,000 ms
 */
export function cpuCoresBetween(prev: ExecutorStatistics | undefined, cur: ExecutorStatistics, hostCpus?: number): CpuRate {
  if (prev === undefined) return { ok: false, skip: 'first_reading' };
  const t0 = prev.timestampSecs;
  const t1 = cur.timestampSecs;
  const c0 = cpuSecs(prev);
  const c1 = cpuSecs(cur);
  if (t0 === undefined || t1 === undefined || c0 === undefined || c1 === undefined || t0 <= 0 || t1 <= 0) return { ok: false, skip: 'missing_counters' };
  const dt = t1 - t0;
  if (!(dt > 0)) return { ok: false, skip: 'non_increasing_time' };
  const dc = c1 - c0;
  if (dc < 0) return { ok: false, skip: 'counter_reset' };
  const cores = dc / dt;
  const intervalMs = Math.round(dt * 1000);
  if (!Number.isFinite(cores) || !Number.isFinite(intervalMs)) return { ok: false, skip: 'missing_counters' };
  const periods = delta(prev.cpusNrPeriods, cur.cpusNrPeriods);
  if (periods !== undefined && periods > 0 && cur.cpusLimit !== undefined && cur.cpusLimit > 0 && cores > cur.cpusLimit * CFS_RATE_TOLERANCE) {
    return { ok: false, skip: 'implausible_rate' };
  }
  const maxCores = Math.min(hostCpus !== undefined && hostCpus > 0 ? hostCpus : MAX_HOST_CPUS, MAX_HOST_CPUS) * CFS_RATE_TOLERANCE;
  if (cores > maxCores) return { ok: false, skip: 'out_of_range', cores, maxCores };
  return { ok: true, cores, intervalMs };
}

function cpuSecs(s: ExecutorStatistics): number | undefined {
  if (s.cpusUserTimeSecs === undefined || s.cpusSystemTimeSecs === undefined) return undefined;
  return s.cpusUserTimeSecs + s.cpusSystemTimeSecs;
}

function delta(prev: number | undefined, cur: number | undefined, scale = 1): number | undefined {
  if (prev === undefined || cur === undefined) return undefined;
  const d = (cur - prev) * scale;
  return d >= 0 && Number.isFinite(d) ? d : undefined;
}

/**
 * Working set of an executor, in bytes. Mesos has no `inactive_file` (the figure cAdvisor and
 * `docker stats` subtract), so rightsize takes the older Docker definition: cgroup usage
 * (`mem_total_bytes`, page cache included) minus the file-backed cache (`mem_file_bytes`, else
 * `mem_cache_bytes`). This can under-count hot file pages but never counts reclaimable cache as
 * need. Without `mem_total_bytes` (0.19–0.22, the Docker containerizer) it is `mem_rss_bytes`.
 * A negative difference (inconsistent numbers) gives undefined, never a wrong value.
 */
export function workingSetBytes(s: ExecutorStatistics): number | undefined {
  if (s.memTotalBytes !== undefined) {
    const file = s.memFileBytes ?? s.memCacheBytes;
    if (file === undefined) return s.memTotalBytes;
    const ws = s.memTotalBytes - file;
    return ws >= 0 && Number.isFinite(ws) ? ws : undefined;
  }
  return s.memRssBytes;
}

/** Who ran a reading and where (from agent `/state` and the agent URL). */
export interface ExecutorDocContext {
  readonly nowMs: number;
  /** The agent endpoint (without credentials), written to `service.address`. */
  readonly agentUrl: string;
  /** Who reports problems (`CollectError.target`). @defaultValue `mesos-agent <agentUrl>` */
  readonly target?: string;
  /** The agent's CPUs (its advertised `resources.cpus` from `/state`): no executor uses more. */
  readonly hostCpus?: number;
  readonly agentId?: string;
  readonly agentHostname?: string;
  /** The executor as agent `/state` lists it (container id, task ids). */
  readonly executor?: AgentExecutorInfo;
  /**
   * The executor's task (agent `/state`, else the leader's `/master/state`): gives `request.*`
   * (its `resources`) and, for a task of the `marathon` framework, `marathon.app.id`. Used only
   * when it is the task the document names.
   */
  readonly task?: MesosTaskInfo;
}

/**
 * Result of {@link containerDocFromReading}: the one parse-result shape. `value` is the document
 * (always kept); `skipped` counts why a figure is absent: the CPU skip reason (`first_reading`,
 * `counter_reset`, `missing_counters`, …; an out-of-range rate is an item error in `errors`
 * instead) and `memory_inconsistent` when the working set was left out.
 */
export type ExecutorDocResult = ParseResult<ContainerDoc>;

/**
 * One executor reading (and the previous one of the same executor, if any) → a `ContainerDoc`
 * with `event.dataset: 'mesos.executor'`. `container.id` is the Mesos container id when known
 * (`/containers`, agent `/state`), else the executor id. `mesos.task.id` is the executor's only
 * task from agent `/state`, else — for the command executor, whose id is the task id — the
 * executor id. Throttling fields are deltas since the previous reading
 * (`cpu.throttled.periods` = Δ`cpus_nr_throttled`, `time_ms` = Δ`cpus_throttled_time_secs` × 1000).
 * `@timestamp` is the collection time `nowMs`; the agent's `timestamp` only measures Δt.
 * With `ctx.task` (the task named in `mesos.task.id`), `request.*` are its `resources` and a
 * Marathon task adds `marathon.app.id` ({@link marathonAppIdOf}).
 */
export function containerDocFromReading(prev: ExecutorStatistics | undefined, reading: ExecutorReading, ctx: ExecutorDocContext): ExecutorDocResult {
  const s = reading.statistics;
  const containerId = reading.containerId ?? ctx.executor?.containerId;
  const taskIds = ctx.executor?.taskIds ?? [];
  const isCommandExecutor = reading.executorName?.startsWith('Command Executor') ?? false;
  const taskId = taskIds.length === 1 ? taskIds[0] : taskIds.includes(reading.executorId) || isCommandExecutor ? reading.executorId : undefined;
  const rate = cpuCoresBetween(prev, s, ctx.hostCpus);
  const errors: CollectError[] = [];
  if (!rate.ok && rate.skip === 'out_of_range') {
    const subject = `executor ${reading.executorId}.cpu.cores`;
    const message = `CPU rate of ${rate.cores} cores is beyond the host's ${rate.maxCores / CFS_RATE_TOLERANCE} CPUs; left out`;
    errors.push({ target: ctx.target ?? `mesos-agent ${ctx.agentUrl}`, code: 'RS_ERR_PARSE_RANGE', message, subject });
  }
  // A container's cgroup cannot hold more than its hard limit: a working set above it is somebody
  // else's counters (e.g. read from the root cgroup) → no memory figures, counted as inconsistent.
  const wsRaw = workingSetBytes(s);
  const overLimit = wsRaw !== undefined && s.memLimitBytes !== undefined && s.memLimitBytes > 0 && wsRaw > s.memLimitBytes * MEMORY_LIMIT_TOLERANCE;
  const ws = overLimit ? undefined : wsRaw;
  const throttled = compact({
    periods: delta(prev?.cpusNrThrottled, s.cpusNrThrottled),
    time_ms: (() => {
      const d = delta(prev?.cpusThrottledTimeSecs, s.cpusThrottledTimeSecs, 1000);
      return d === undefined ? undefined : Math.round(d);
    })(),
  });
  const cpu = compact({
    cores: rate.ok ? rate.cores : undefined,
    limit_cores: s.cpusLimit,
    interval_ms: rate.ok ? Math.round(rate.intervalMs) : undefined,
    // cores × window: what a build summary sums (Elasticsearch here has no scripts to multiply).
    core_seconds: rate.ok ? (rate.cores * rate.intervalMs) / 1000 : undefined,
    throttled,
  });
  const memory = compact({
    working_set_bytes: ws,
    rss_bytes: overLimit ? undefined : s.memRssBytes,
    usage_bytes: overLimit ? undefined : s.memTotalBytes,
    limit_bytes: s.memLimitBytes,
  });
  const task = ctx.task !== undefined && ctx.task.taskId === taskId ? ctx.task : undefined;
  const appId = task !== undefined ? marathonAppIdOf(task) : undefined;
  const request = task !== undefined ? compact({ cpu_cores: task.request.cpus, memory_bytes: task.request.memBytes }) : undefined;
  const doc: ContainerDoc = {
    '@timestamp': iso(ctx.nowMs),
    event: { dataset: 'mesos.executor', module: 'mesos' },
    ...(ctx.agentHostname !== undefined ? { host: { name: ctx.agentHostname } } : {}),
    service: { address: ctx.agentUrl },
    container: {
      id: containerId ?? reading.executorId,
      ...(containerId !== undefined ? { name: `mesos-${containerId}` } : {}),
      runtime: 'mesos',
    },
    mesos: {
      ...(ctx.agentId !== undefined ? { agent: { id: ctx.agentId } } : {}),
      framework: { id: reading.frameworkId },
      executor: { id: reading.executorId },
      ...(taskId !== undefined ? { task: { id: taskId } } : {}),
      ...(containerId !== undefined ? { container: { id: containerId } } : {}),
    },
    ...(appId !== undefined ? { marathon: { app: { id: appId } } } : {}),
    ...(request ? { request } : {}),
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
    ...(s.processes !== undefined ? { process: { count: s.processes } } : {}),
  };
  const skipped: Record<string, number> = {};
  if (!rate.ok && rate.skip !== 'out_of_range') skipped[rate.skip] = 1;
  if (overLimit || (ws === undefined && s.memTotalBytes !== undefined)) skipped['memory_inconsistent'] = 1;
  return { value: doc, errors, skipped };
}

// ---------------------------------------------------------------------------------------------
// Agent /state

/**
 * Agent `/state` (or `/state.json`) → agent id, hostname, pid, and per executor its container
 * id (`executors[].container`, else the newest task status `container_id`) and task ids — what
 * the join from a container to a task needs, and the hostname for a Docker endpoint template.
 */
export function parseAgentState(body: unknown, ctx: { readonly target: string }): ParseResult<AgentStateInfo> {
  const fr = new FieldReader(ctx.target);
  const executors = new Map<string, AgentExecutorInfo>();
  const tasks = new Map<string, MesosTaskInfo>();
  if (!isRecord(body) || !('frameworks' in body || 'id' in body)) {
    fr.issue('agent /state is not an object with frameworks or id');
    return done({ executors, tasks }, fr);
  }
  const id = readId(fr, body, 'id');
  const hostname = fr.str(body, 'hostname');
  const pid = fr.str(body, 'pid');
  const resources = parseResources(fr, body['resources'], 'resources');
  for (const f of fr.arr(body, 'frameworks') ?? []) {
    if (!isRecord(f)) continue;
    const fwId = readId(fr, f, 'id', 'framework');
    if (fwId === undefined) {
      fr.issue('framework without an id', 'frameworks');
      continue;
    }
    const fwName = fr.str(f, 'name', `framework ${fwId}`);
    for (const e of fr.arr(f, 'executors', `framework ${fwId}`) ?? []) {
      if (!isRecord(e)) continue;
      const executorId = readId(fr, e, 'id', 'executor');
      if (executorId === undefined || executorId === '') {
        fr.issue('executor without an id', `framework ${fwId}`);
        continue;
      }
      const subject = `executor ${executorId}`;
      const taskIds: string[] = [];
      let statusContainer: string | undefined;
      for (const key of ['tasks', 'queued_tasks']) {
        for (const t of fr.arr(e, key, subject) ?? []) {
          if (!isRecord(t)) continue;
          const task = parseTask(fr, t, { id: fwId, ...(fwName !== undefined ? { name: fwName } : {}) });
          if (task === undefined) continue;
          const withAgent: MesosTaskInfo = {
            ...task,
            executorId,
            ...(task.agentId === undefined && id !== undefined ? { agentId: id } : {}),
          };
          taskIds.push(task.taskId);
          statusContainer ??= task.containerId;
          addTask(fr, tasks, withAgent);
        }
      }
      const containerId = readId(fr, e, 'container', subject) ?? statusContainer;
      executors.set(`${fwId}/${executorId}`, {
        frameworkId: fwId,
        executorId,
        ...(containerId !== undefined ? { containerId } : {}),
        taskIds,
      });
    }
  }
  return done(
    {
      ...(id !== undefined ? { id } : {}),
      ...(hostname !== undefined ? { hostname } : {}),
      ...(pid !== undefined ? { pid } : {}),
      ...(resources !== undefined ? { resources } : {}),
      executors,
      tasks,
    },
    fr,
  );
}

