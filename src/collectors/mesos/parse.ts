import type { AgentDoc, ClusterDoc, ContainerDoc, RoleDoc } from '../../model/index.js';
import { done, FieldReader, isRecord, type ParseResult } from '../../util/json.js';
import type {
  AgentExecutorInfo,
  AgentStateInfo,
  CpuRate,
  ExecutorReading,
  ExecutorStatistics,
  MasterStateInfo,
  MesosAgentInfo,
  MesosExecutorInfo,
  MesosFrameworkInfo,
  MesosResources,
  MesosTaskInfo,
} from './types.js';

/**
 * Pure parsers of Mesos master and agent responses: raw JSON in, typed values and documents out,
 * problems as data (`errors`, `skipped`). No I/O, no clock: `nowMs` is passed in.
 *
 * Sources: apache/mesos `docs/monitoring.md` (snapshot keys; memory and disk in MB),
 * `src/master/http.cpp` and `src/slave/http.cpp` help strings, `include/mesos/mesos.proto`
 * (`ResourceStatistics`), and the captures listed in real-captures/PROVENANCE.md.
 */

/** Mesos reports memory and disk in MB meaning MiB: 116256 MB = 121,902,759,936 bytes. */
export const MESOS_MB_BYTES = 1024 * 1024;

/** Converts Mesos MB to whole bytes; undefined when the result is not a finite number (absurd input). */
export function mbToBytes(mb: number): number | undefined {
  const bytes = Math.round(mb * MESOS_MB_BYTES);
  return Number.isFinite(bytes) ? bytes : undefined;
}

export type { ParseResult };

function iso(nowMs: number): string {
  return new Date(nowMs).toISOString();
}

/** Drops keys whose value is undefined and returns undefined for an object left empty. */
function compact<T extends object>(o: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length === 0 ? undefined : (out as T);
}

/** A Mesos id: a plain string (state.json) or `{ "value": "…" }` (protobuf JSON, v1 API). */
function readId(fr: FieldReader, obj: Record<string, unknown>, key: string, subject?: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (isRecord(v) && typeof v['value'] === 'string') return v['value'];
  fr.issue(`${key} is not an id`, subject ?? key);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Resources

/**
 * Reads Mesos resources in either form:
 * - a dict `{ "cpus": 1, "mem": 2304, "disk": 5000, "gpus": 0, "ports": "[…]" }` (state.json);
 * - a protobuf list `[{ "name": "cpus", "type": "SCALAR", "scalar": { "value": 0.5 } }, …]`
 *   (0.27 executor resources, `*_full` fields, the v1 operator API). Entries with the same name
 *   (e.g. one per role) are summed.
 * `mem` and `disk` are MB and come back as bytes. Ints and floats are both fine.
 */
export function parseResources(fr: FieldReader, value: unknown, subject: string): MesosResources | undefined {
  if (value === undefined || value === null) return undefined;
  const scalars: Record<string, number> = {};
  if (Array.isArray(value)) {
    for (const entry of value) {
      if (!isRecord(entry) || typeof entry['name'] !== 'string') {
        fr.issue('resource list entry without a name', subject);
        continue;
      }
      const name = entry['name'];
      if (name !== 'cpus' && name !== 'mem' && name !== 'disk' && name !== 'gpus') continue;
      const scalar = entry['scalar'];
      if (!isRecord(scalar)) {
        fr.issue(`resource ${name} has no scalar`, subject);
        continue;
      }
      const v = fr.nonNeg(scalar, 'value', `${subject}.${name}`);
      if (v !== undefined) scalars[name] = (scalars[name] ?? 0) + v;
    }
  } else if (isRecord(value)) {
    for (const name of ['cpus', 'mem', 'disk', 'gpus']) {
      const v = fr.nonNeg(value, name, `${subject}.${name}`);
      if (v !== undefined) scalars[name] = v;
    }
  } else {
    fr.issue('resources are neither a dict nor a list', subject);
    return undefined;
  }
  const bytes = (name: string): number | undefined => {
    const mb = scalars[name];
    if (mb === undefined) return undefined;
    const b = mbToBytes(mb);
    if (b === undefined) fr.issue(`${name} ${mb} MB is out of range`, `${subject}.${name}`);
    return b;
  };
  const memBytes = bytes('mem');
  const diskBytes = bytes('disk');
  const finite = (v: number | undefined): number | undefined => (v !== undefined && Number.isFinite(v) ? v : undefined);
  const cpus = finite(scalars['cpus']);
  const gpus = finite(scalars['gpus']);
  return {
    ...(cpus !== undefined ? { cpus } : {}),
    ...(memBytes !== undefined ? { memBytes } : {}),
    ...(diskBytes !== undefined ? { diskBytes } : {}),
    ...(gpus !== undefined ? { gpus } : {}),
  };
}

/** `used_resources`, else its list twin `used_resources_full` (1.x). */
function resourcesWithFull(fr: FieldReader, obj: Record<string, unknown>, key: string, subject: string): MesosResources | undefined {
  if (obj[key] !== undefined && obj[key] !== null) return parseResources(fr, obj[key], subject);
  return parseResources(fr, obj[`${key}_full`], subject);
}

// ---------------------------------------------------------------------------------------------
// /metrics/snapshot

/** Context of {@link parseMetricsSnapshot}. */
export interface SnapshotContext {
  readonly target: string;
  readonly nowMs: number;
  /** The master that answered (redacted), written to `mesos.master.url`. */
  readonly masterUrl: string;
  readonly cluster?: string;
}

/** Result of {@link parseMetricsSnapshot}. */
export interface SnapshotInfo {
  /** `master/elected` as a boolean; undefined when the key is missing or not a number. */
  readonly elected?: boolean;
  readonly uptimeSecs?: number;
  readonly doc?: ClusterDoc;
}

/**
 * Flattens the v1 operator API `GET_METRICS` answer (`{get_metrics:{metrics:[{name,value}]}}`)
 * into the flat map `/metrics/snapshot` returns; a flat map is returned as is.
 */
function flatMetrics(body: unknown): Record<string, unknown> | undefined {
  if (!isRecord(body)) return undefined;
  const nested = body['get_metrics'];
  if (isRecord(nested) && Array.isArray(nested['metrics'])) {
    const flat: Record<string, unknown> = {};
    for (const m of nested['metrics']) if (isRecord(m) && typeof m['name'] === 'string') flat[m['name']] = m['value'];
    return flat;
  }
  return body;
}

/**
 * Master `/metrics/snapshot` → a `ClusterDoc` (data-model.md `mesos.master`). A missing key makes
 * its field absent; a present key with a non-number is an error and absent. `cpus_*` are cores
 * allocated (not measured); `mem_*`/`disk_*` are MB → bytes; `*_percent` stay fractions 0..1.
 *
 * @example mackerel capture: cpus_total 32, cpus_used 14.55, mem_total 116256 MB → mem.total_bytes 121,902,759,936
 */
export function parseMetricsSnapshot(body: unknown, ctx: SnapshotContext): ParseResult<SnapshotInfo> {
  const fr = new FieldReader(ctx.target);
  const m = flatMetrics(body);
  if (m === undefined) {
    fr.issue('/metrics/snapshot is not a JSON object', ctx.masterUrl);
    return done({}, fr);
  }
  const n = (key: string): number | undefined => fr.nonNeg(m, key);
  const electedRaw = n('master/elected');
  const elected = electedRaw === undefined ? undefined : electedRaw >= 1;
  const uptimeSecs = n('master/uptime_secs');
  const mb = (key: string): number | undefined => {
    const v = n(key);
    if (v === undefined) return undefined;
    const b = mbToBytes(v);
    if (b === undefined) fr.issue(`${key} ${v} MB is out of range`, key);
    return b;
  };
  const hasMasterKeys = Object.keys(m).some((k) => k.startsWith('master/'));
  if (!hasMasterKeys) {
    fr.issue('no master/* keys: not a master /metrics/snapshot', ctx.masterUrl);
    return done({}, fr);
  }
  const mesos: ClusterDoc['mesos'] = {
    ...(ctx.cluster !== undefined ? { cluster: ctx.cluster } : {}),
    master: { url: ctx.masterUrl, elected: elected ?? false, ...(uptimeSecs !== undefined ? { uptime_secs: uptimeSecs } : {}) },
    ...optional('cpus', compact({ total: n('master/cpus_total'), used: n('master/cpus_used'), percent: n('master/cpus_percent') })),
    ...optional('mem', compact({ total_bytes: mb('master/mem_total'), used_bytes: mb('master/mem_used'), percent: n('master/mem_percent') })),
    ...optional('disk', compact({ total_bytes: mb('master/disk_total'), used_bytes: mb('master/disk_used'), percent: n('master/disk_percent') })),
    ...optional('gpus', compact({ total: n('master/gpus_total'), used: n('master/gpus_used') })),
    ...optional(
      'agents',
      compact({
        active: n('master/slaves_active'),
        inactive: n('master/slaves_inactive'),
        connected: n('master/slaves_connected'),
        disconnected: n('master/slaves_disconnected'),
        unreachable: n('master/slaves_unreachable'),
      }),
    ),
    ...optional('frameworks', compact({ active: n('master/frameworks_active'), inactive: n('master/frameworks_inactive') })),
    ...optional('offers', compact({ outstanding: n('master/outstanding_offers') })),
    ...optional(
      'tasks',
      compact({
        staging: n('master/tasks_staging'),
        starting: n('master/tasks_starting'),
        running: n('master/tasks_running'),
        killing: n('master/tasks_killing'),
        finished: n('master/tasks_finished'),
        failed: n('master/tasks_failed'),
        killed: n('master/tasks_killed'),
        lost: n('master/tasks_lost'),
        error: n('master/tasks_error'),
        unreachable: n('master/tasks_unreachable'),
      }),
    ),
  };
  const doc: ClusterDoc = { '@timestamp': iso(ctx.nowMs), event: { dataset: 'mesos.master' }, mesos };
  return done({ ...(elected !== undefined ? { elected } : {}), ...(uptimeSecs !== undefined ? { uptimeSecs } : {}), doc }, fr);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// ---------------------------------------------------------------------------------------------
// /master/state

function parseTask(fr: FieldReader, t: Record<string, unknown>, fw: { id?: string; name?: string }): MesosTaskInfo | undefined {
  const taskId = readId(fr, t, 'id', 'task');
  if (taskId === undefined || taskId === '') {
    fr.issue('task without an id', `framework ${fw.id ?? '?'}`);
    return undefined;
  }
  const subject = `task ${taskId}`;
  const frameworkId = readId(fr, t, 'framework_id', subject) ?? fw.id;
  const agentId = readId(fr, t, 'slave_id', subject) ?? readId(fr, t, 'agent_id', subject);
  const executorRaw = readId(fr, t, 'executor_id', subject);
  const request = parseResources(fr, t['resources'], `${subject}.resources`) ?? {};
  let containerId: string | undefined;
  let newest = -Infinity;
  const statuses = fr.arr(t, 'statuses', subject) ?? [];
  statuses.forEach((s, i) => {
    if (!isRecord(s)) return;
    const cs = s['container_status'];
    if (!isRecord(cs)) return;
    const id = readId(fr, cs, 'container_id', subject);
    if (id === undefined) return;
    const ts = typeof s['timestamp'] === 'number' ? s['timestamp'] : i;
    if (ts >= newest) {
      newest = ts;
      containerId = id;
    }
  });
  const name = fr.str(t, 'name', subject);
  const state = fr.str(t, 'state', subject);
  return {
    taskId,
    ...(name !== undefined ? { name } : {}),
    ...(frameworkId !== undefined ? { frameworkId } : {}),
    ...(fw.name !== undefined ? { frameworkName: fw.name } : {}),
    ...(agentId !== undefined ? { agentId } : {}),
    executorId: executorRaw === undefined || executorRaw === '' ? taskId : executorRaw,
    ...(state !== undefined ? { state } : {}),
    request,
    ...(containerId !== undefined ? { containerId } : {}),
  };
}

function addTask(fr: FieldReader, tasks: Map<string, MesosTaskInfo>, task: MesosTaskInfo | undefined): void {
  if (task === undefined) return;
  if (tasks.has(task.taskId)) {
    fr.skip('duplicate_task');
    return;
  }
  tasks.set(task.taskId, task);
}

/** Context of {@link parseMasterState}. */
export interface MasterStateContext {
  readonly target: string;
  readonly nowMs: number;
  /** Overrides the state's own `cluster` in documents. */
  readonly cluster?: string;
}

/**
 * Master `/master/state` (or `/state.json`) → leadership (`leader`, `pid`, `elected_time`,
 * `hostname`), agents, frameworks, custom executors and the task index. Works on 0.19 to 1.x
 * states: dict or protobuf-list resources, `*_full` variants, ints or floats, missing
 * `used_resources` (0.19/0.22).
 */
export function parseMasterState(body: unknown, ctx: MasterStateContext): ParseResult<MasterStateInfo> {
  const fr = new FieldReader(ctx.target);
  const empty: MasterStateInfo = { agents: [], frameworks: [], executors: [], tasks: new Map(), completedTasks: new Map() };
  if (!isRecord(body)) {
    fr.issue('/master/state is not a JSON object');
    return done(empty, fr);
  }
  if (body['type'] === 'GET_STATE' || isRecord(body['get_state'])) {
    fr.issue('this is a v1 operator API GET_STATE answer, not /master/state');
    return done(empty, fr);
  }
  if (!('slaves' in body) && !('frameworks' in body) && !('leader' in body) && !('pid' in body)) {
    fr.issue('no slaves, frameworks, leader or pid: not a /master/state answer');
    return done(empty, fr);
  }
  const leader = fr.str(body, 'leader');
  const pid = fr.str(body, 'pid');
  const agents: MesosAgentInfo[] = [];
  for (const s of fr.arr(body, 'slaves') ?? []) {
    if (!isRecord(s)) {
      fr.issue('slave entry is not an object', 'slaves');
      continue;
    }
    const id = readId(fr, s, 'id', 'slave');
    if (id === undefined || id === '') {
      fr.issue('slave without an id', 'slaves');
      continue;
    }
    const subject = `agent ${id}`;
    const hostname = fr.str(s, 'hostname', subject);
    const agentPid = fr.str(s, 'pid', subject);
    const active = fr.bool(s, 'active', subject);
    const used = resourcesWithFull(fr, s, 'used_resources', `${subject}.used_resources`);
    agents.push({
      id,
      ...(hostname !== undefined ? { hostname } : {}),
      ...(agentPid !== undefined ? { pid: agentPid } : {}),
      ...(active !== undefined ? { active } : {}),
      resources: parseResources(fr, s['resources'], `${subject}.resources`) ?? {},
      ...(used !== undefined ? { used } : {}),
    });
  }
  const frameworks: MesosFrameworkInfo[] = [];
  const executors: MesosExecutorInfo[] = [];
  const tasks = new Map<string, MesosTaskInfo>();
  const completedTasks = new Map<string, MesosTaskInfo>();
  for (const f of fr.arr(body, 'completed_frameworks') ?? []) {
    if (!isRecord(f)) continue;
    const id = readId(fr, f, 'id', 'completed framework');
    const name = fr.str(f, 'name', `completed framework ${id ?? '?'}`);
    for (const t of fr.arr(f, 'completed_tasks', `completed framework ${id ?? '?'}`) ?? [])
      if (isRecord(t)) addTask(fr, completedTasks, parseTask(fr, t, { ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}) }));
  }
  for (const f of fr.arr(body, 'frameworks') ?? []) {
    if (!isRecord(f)) {
      fr.issue('framework entry is not an object', 'frameworks');
      continue;
    }
    const id = readId(fr, f, 'id', 'framework');
    if (id === undefined) {
      fr.issue('framework without an id', 'frameworks');
      continue;
    }
    const subject = `framework ${id}`;
    const name = fr.str(f, 'name', subject);
    const role = fr.str(f, 'role', subject);
    const used = resourcesWithFull(fr, f, 'used_resources', `${subject}.used_resources`);
    frameworks.push({ id, ...(name !== undefined ? { name } : {}), ...(role !== undefined ? { role } : {}), ...(used !== undefined ? { used } : {}) });
    for (const t of fr.arr(f, 'tasks', subject) ?? []) {
      if (!isRecord(t)) {
        fr.issue('task entry is not an object', subject);
        continue;
      }
      addTask(fr, tasks, parseTask(fr, t, { id, ...(name !== undefined ? { name } : {}) }));
    }
    for (const t of fr.arr(f, 'completed_tasks', subject) ?? [])
      if (isRecord(t)) addTask(fr, completedTasks, parseTask(fr, t, { id, ...(name !== undefined ? { name } : {}) }));
    for (const e of fr.arr(f, 'executors', subject) ?? []) {
      if (!isRecord(e)) continue;
      const executorId = readId(fr, e, 'executor_id', subject);
      if (executorId === undefined) {
        fr.issue('executor without an executor_id', subject);
        continue;
      }
      const agentId = readId(fr, e, 'slave_id', subject) ?? readId(fr, e, 'agent_id', subject);
      executors.push({
        executorId,
        frameworkId: readId(fr, e, 'framework_id', subject) ?? id,
        ...(agentId !== undefined ? { agentId } : {}),
        resources: parseResources(fr, e['resources'], `executor ${executorId}.resources`) ?? {},
      });
    }
  }
  const electedTimeSecs = fr.nonNeg(body, 'elected_time');
  const hostname = fr.str(body, 'hostname');
  const cluster = fr.str(body, 'cluster');
  const version = fr.str(body, 'version');
  const info: MasterStateInfo = {
    ...(leader !== undefined ? { leader } : {}),
    ...(pid !== undefined ? { pid } : {}),
    ...(leader !== undefined && pid !== undefined ? { isLeader: leader === pid } : {}),
    ...(electedTimeSecs !== undefined ? { electedTimeSecs } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
    ...(version !== undefined ? { version } : {}),
    agents,
    frameworks,
    executors,
    tasks,
    completedTasks,
  };
  return done(info, fr);
}

/** One `mesos.agent` document per agent of a parsed master state (data-model.md). */
export function agentDocsFromState(state: MasterStateInfo, nowMs: number, cluster?: string): AgentDoc[] {
  const ts = iso(nowMs);
  const clusterName = cluster ?? state.cluster;
  return state.agents.map((a) => {
    const resources = compact({ cpus: a.resources.cpus, mem_bytes: a.resources.memBytes, disk_bytes: a.resources.diskBytes });
    const used = a.used ? compact({ cpus: a.used.cpus, mem_bytes: a.used.memBytes, disk_bytes: a.used.diskBytes }) : undefined;
    return {
      '@timestamp': ts,
      event: { dataset: 'mesos.agent' },
      mesos: {
        ...(clusterName !== undefined ? { cluster: clusterName } : {}),
        agent: {
          id: a.id,
          ...(a.hostname !== undefined ? { hostname: a.hostname } : {}),
          ...(a.active !== undefined ? { active: a.active } : {}),
          ...(resources ? { resources } : {}),
          ...(used ? { used } : {}),
        },
      },
    } satisfies AgentDoc;
  });
}

/** Context of {@link parseRoles}. */
export interface RolesContext {
  readonly target: string;
  readonly nowMs: number;
  readonly cluster?: string;
}

/**
 * Master `/roles` → one `mesos.role` document per role. Allocation is `allocated` (1.x) or, in
 * older versions, `resources` (what the role's frameworks hold).
 */
export function parseRoles(body: unknown, ctx: RolesContext): ParseResult<RoleDoc[]> {
  const fr = new FieldReader(ctx.target);
  if (!isRecord(body) || !Array.isArray(body['roles'])) {
    fr.issue('/roles is not an object with a roles array');
    return done([], fr);
  }
  const docs: RoleDoc[] = [];
  for (const r of body['roles']) {
    if (!isRecord(r)) {
      fr.issue('role entry is not an object', 'roles');
      continue;
    }
    const name = fr.str(r, 'name', 'role');
    if (name === undefined) {
      fr.issue('role without a name', 'roles');
      continue;
    }
    const weight = fr.nonNeg(r, 'weight', `role ${name}`);
    const res = parseResources(fr, r['allocated'] ?? r['resources'], `role ${name}.resources`);
    const allocated = res ? compact({ cpus: res.cpus, mem_bytes: res.memBytes }) : undefined;
    docs.push({
      '@timestamp': iso(ctx.nowMs),
      event: { dataset: 'mesos.role' },
      mesos: {
        ...(ctx.cluster !== undefined ? { cluster: ctx.cluster } : {}),
        role: { name, ...(weight !== undefined ? { weight } : {}), ...(allocated ? { allocated } : {}) },
      },
    });
  }
  return done(docs, fr);
}

/**
 * The HTTP base URL of a Mesos process from its pid: `slave(1)@10.0.2.121:5051` →
 * `http://10.0.2.121:5051`, `master@[::1]:5050` → `http://[::1]:5050`. Undefined when the pid
 * has no `@host:port`.
 */
export function baseUrlFromPid(pid: string, scheme: 'http' | 'https' = 'http'): string | undefined {
  const m = /@(\[[0-9a-fA-F:.]+\]|[^:@\s/]+):(\d{1,5})$/.exec(pid);
  if (!m) return undefined;
  return `${scheme}://${m[1]}:${m[2]}`;
}

/**
 * Fills a Docker endpoint template for a discovered agent: `{hostname}` and `{id}` are
 * replaced, e.g. `tcp://{hostname}:2375` → `tcp://10.0.2.121:2375`. Undefined when the template
 * needs a value the agent does not have, or the value holds characters that would change the
 * URL's structure (`/`, `@`, whitespace, …).
 */
export function dockerEndpointFromTemplate(template: string, agent: { readonly hostname?: string; readonly id?: string }): string | undefined {
  let missing = false;
  const out = template.replace(/\{(hostname|id)\}/g, (_, key: 'hostname' | 'id') => {
    const v = agent[key];
    if (v === undefined || v === '' || !/^[A-Za-z0-9._:\-[\]]+$/.test(v)) {
      missing = true;
      return '';
    }
    return v;
  });
  return missing ? undefined : out;
}

// ---------------------------------------------------------------------------------------------
// Agent /monitor/statistics and /containers

const STAT_KEYS: ReadonlyArray<readonly [keyof ExecutorStatistics, string]> = [
  ['timestampSecs', 'timestamp'],
  ['cpusUserTimeSecs', 'cpus_user_time_secs'],
  ['cpusSystemTimeSecs', 'cpus_system_time_secs'],
  ['cpusLimit', 'cpus_limit'],
  ['cpusNrPeriods', 'cpus_nr_periods'],
  ['cpusNrThrottled', 'cpus_nr_throttled'],
  ['cpusThrottledTimeSecs', 'cpus_throttled_time_secs'],
  ['memRssBytes', 'mem_rss_bytes'],
  ['memTotalBytes', 'mem_total_bytes'],
  ['memFileBytes', 'mem_file_bytes'],
  ['memCacheBytes', 'mem_cache_bytes'],
  ['memLimitBytes', 'mem_limit_bytes'],
  ['processes', 'processes'],
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
    for (const [name, key] of STAT_KEYS) {
      const v = fr.nonNeg(raw, key, `${subject}.${key}`);
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
 *
 * @example prev user 26.25 + sys 55.99 at t=1403819237.307, cur user 26.35 + sys 56.09 at
 *          t=1403819247.307 → 0.2 CPU-s / 10 s = 0.02 cores, interval 10,000 ms
 */
export function cpuCoresBetween(prev: ExecutorStatistics | undefined, cur: ExecutorStatistics): CpuRate {
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

// ---------------------------------------------------------------------------------------------
// Marathon apps

/** The framework name Marathon registers with (`--framework_name`, default `marathon`). */
export const MARATHON_FRAMEWORK_NAME = 'marathon';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** `<safePath>.instance-<uuid>…` / `<safePath>.marathon-<uuid>…` (Marathon ≥ 1.5 instance ids). */
const INSTANCE_TASK_ID = new RegExp(`^(.+?)\\.(?:instance|marathon)-${UUID}(?:\\..*)?$`);

/**
 * The Marathon app id of a Marathon task id. Marathon names a task `<safePath>.<uuid>`, where the
 * safe path is the app id without its leading `/` and with `/` replaced by `_`
 * (`TaskIdUtil.taskId`: `appId.safePath + "." + uuid`; read back with `PathId.fromSafePath`, i.e.
 * split at the last `.`); since 1.5 the uuid is prefixed `instance-` or `marathon-` and a pod
 * container's name or `._app.<n>` may follow. App ids hold only lowercase letters, digits, `-` and
 * `.`, so `_` always separates path segments.
 *
 * @example `team_web.3c7ab984-a9b9-41fb-bb73-0569f88c657e` → `/team/web`;
 *          `no-healthcheck.7d61432d-d6a6-11e6-a564-8605ecf0a9df` → `/no-healthcheck`
 */
export function marathonAppIdFromTaskId(taskId: string): string | undefined {
  const m = INSTANCE_TASK_ID.exec(taskId);
  const safePath = m ? m[1]! : taskId.slice(0, Math.max(0, taskId.lastIndexOf('.')));
  if (safePath === '' || safePath.startsWith('_') || safePath.endsWith('_') || safePath.includes('__')) return undefined;
  return `/${safePath.split('_').join('/')}`;
}

/** `marathon`, or `marathon-<version>` as Marathon before 0.7 registered (`marathon-0.6.0-SNAPSHOT` in the 0.19 agent capture). */
const MARATHON_FRAMEWORK = /^marathon(?:-\d[\w.+-]*)?$/;

/**
 * The Marathon app of a task: only tasks of the framework named `marathon` (or an early
 * `marathon-<version>`) have one. Another framework's task is never an app, even with a
 * Marathon-looking id (the mesos-dns capture's `ipv6-framework` runs `toy-store.<uuid>`).
 */
export function marathonAppIdOf(task: Pick<MesosTaskInfo, 'taskId' | 'frameworkName'>): string | undefined {
  return task.frameworkName !== undefined && MARATHON_FRAMEWORK.test(task.frameworkName) ? marathonAppIdFromTaskId(task.taskId) : undefined;
}

/** Who ran a reading and where (from agent `/state` and the agent URL). */
export interface ExecutorDocContext {
  readonly nowMs: number;
  /** The agent endpoint (redacted), written to `source.endpoint`. */
  readonly agentUrl: string;
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

/** Result of {@link containerDocFromReading}. */
export interface ExecutorDocResult {
  readonly doc: ContainerDoc;
  /** Why `cpu.cores` is absent, when it is. */
  readonly cpuSkip?: Extract<CpuRate, { ok: false }>['skip'];
  /** True when the memory numbers were inconsistent and the working set was left out. */
  readonly memoryInconsistent: boolean;
}

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
  const rate = cpuCoresBetween(prev, s);
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
    source: { endpoint: ctx.agentUrl },
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
  return {
    doc,
    ...(rate.ok ? {} : { cpuSkip: rate.skip }),
    memoryInconsistent: overLimit || (ws === undefined && s.memTotalBytes !== undefined),
  };
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

/**
 * Agent base URLs of a master state, from each active agent's pid (`slave(1)@10.0.2.121:5051`
 * → `http://10.0.2.121:5051`); agents marked inactive are left out.
 */
export function agentUrlsFromState(state: MasterStateInfo, scheme: 'http' | 'https' = 'http'): string[] {
  const urls: string[] = [];
  for (const a of state.agents) {
    if (a.active === false || a.pid === undefined) continue;
    const url = baseUrlFromPid(a.pid, scheme);
    if (url !== undefined && !urls.includes(url)) urls.push(url);
  }
  return urls;
}

/** Docker endpoints of the active agents of a master state, from a template such as `tcp://{hostname}:2375`. */
export function dockerEndpointsFromState(state: MasterStateInfo, template: string): string[] {
  const out: string[] = [];
  for (const a of state.agents) {
    if (a.active === false) continue;
    const ep = dockerEndpointFromTemplate(template, a);
    if (ep !== undefined && !out.includes(ep)) out.push(ep);
  }
  return out;
}
