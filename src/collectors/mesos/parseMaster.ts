import type { AgentDoc, ClusterDoc, RoleDoc } from '../../model/index.js';
import { done, FieldReader, isRecord, type ParseResult } from '../../util/json.js';
import { MAX_COUNT } from '../../util/bounds.js';
import { addTask, compact, iso, mbFieldBytes, parseResources, parseTask, readId, resourcesWithFull } from './parseCommon.js';
import type { MasterStateInfo, MesosAgentInfo, MesosExecutorInfo, MesosFrameworkInfo, MesosTaskInfo } from './types.js';

/**
 * Pure parsers of the Mesos master's endpoints (`/metrics/snapshot`, `/master/state`, `/roles`):
 * raw JSON in, typed values and documents out, problems as data (`errors`, `skipped`). No I/O,
 * no clock: `nowMs` is passed in.
 */
/*
 * Sources: apache/mesos `docs/monitoring.md` (snapshot keys; memory and disk in MB),
 * `src/master/http.cpp` and `src/slave/http.cpp` help strings, `include/mesos/mesos.proto`
 * (`ResourceStatistics`), and the captures listed in real-captures/PROVENANCE.md.
 */

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
  // Counts and allocated cores: at most what a count can hold; fractions: 0..1, as Mesos reports them.
  const n = (key: string): number | undefined => fr.bounded(m, key, MAX_COUNT);
  const pct = (key: string): number | undefined => fr.bounded(m, key, 1);
  const electedRaw = n('master/elected');
  const elected = electedRaw === undefined ? undefined : electedRaw >= 1;
  const uptimeSecs = n('master/uptime_secs');
  const mb = (key: string): number | undefined => mbFieldBytes(fr, fr.nonNeg(m, key), key);
  const hasMasterKeys = Object.keys(m).some((k) => k.startsWith('master/'));
  if (!hasMasterKeys) {
    fr.issue('no master/* keys: not a master /metrics/snapshot', ctx.masterUrl);
    return done({}, fr);
  }
  const mesos: ClusterDoc['mesos'] = {
    ...(ctx.cluster !== undefined ? { cluster: ctx.cluster } : {}),
    master: { url: ctx.masterUrl, elected: elected ?? false, ...(uptimeSecs !== undefined ? { uptime_secs: uptimeSecs } : {}) },
    ...optional('cpus', compact({ total: n('master/cpus_total'), used: n('master/cpus_used'), percent: pct('master/cpus_percent') })),
    ...optional('mem', compact({ total_bytes: mb('master/mem_total'), used_bytes: mb('master/mem_used'), percent: pct('master/mem_percent') })),
    ...optional('disk', compact({ total_bytes: mb('master/disk_total'), used_bytes: mb('master/disk_used'), percent: pct('master/disk_percent') })),
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
  const doc: ClusterDoc = { '@timestamp': iso(ctx.nowMs), event: { dataset: 'mesos.master', module: 'mesos' }, mesos };
  return done({ ...(elected !== undefined ? { elected } : {}), ...(uptimeSecs !== undefined ? { uptimeSecs } : {}), doc }, fr);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
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
      event: { dataset: 'mesos.agent', module: 'mesos' },
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
    // A weight is a double without a cap in Mesos, but one above 2^53 − 1 is no weight anyone set
    // and would swamp every statistic of the field (the fuzz of fault case 5 found 2^53 + 2 kept).
    const weight = fr.bounded(r, 'weight', MAX_COUNT, `role ${name}`);
    const res = parseResources(fr, r['allocated'] ?? r['resources'], `role ${name}.resources`);
    const allocated = res ? compact({ cpus: res.cpus, mem_bytes: res.memBytes }) : undefined;
    docs.push({
      '@timestamp': iso(ctx.nowMs),
      event: { dataset: 'mesos.role', module: 'mesos' },
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

