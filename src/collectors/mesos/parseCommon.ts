import { MAX_COUNT, MAX_TOTAL_BYTES } from '../../util/bounds.js';
import { finiteNumber, isRecord, type FieldReader } from '../../util/json.js';
import type { MesosResources, MesosTaskInfo } from './types.js';

/**
 * What the Mesos master and agent parsers share: MB → bytes, ids in either form, resources in
 * either form, and a task as `/master/state` and agent `/state` list it. Pure.
 */
/*
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

/**
 * A Mesos MB figure as bytes, bounded by {@link MAX_TOTAL_BYTES} (a whole cluster's memory or
 * disk fits; 1e300 MB does not): beyond it, an `RS_ERR_PARSE_RANGE` issue for `subject` and
 * undefined. `mb` undefined (not reported) gives undefined without an issue.
 */
export function mbFieldBytes(fr: FieldReader, mb: number | undefined, subject: string, what = subject): number | undefined {
  if (mb === undefined) return undefined;
  const bytes = mbToBytes(mb);
  return fr.withinBound(bytes ?? Infinity, MAX_TOTAL_BYTES, subject, `${what} (${mb} MB)`);
}

export function iso(nowMs: number): string {
  return new Date(nowMs).toISOString();
}

/** Drops keys whose value is undefined and returns undefined for an object left empty. */
export function compact<T extends object>(o: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length === 0 ? undefined : (out as T);
}

/** A Mesos id: a plain string (state.json) or `{ "value": "…" }` (protobuf JSON, v1 API). */
export function readId(fr: FieldReader, obj: Record<string, unknown>, key: string, subject?: string): string | undefined {
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
  const bytes = (name: string): number | undefined => mbFieldBytes(fr, scalars[name], `${subject}.${name}`, name);
  const memBytes = bytes('mem');
  const diskBytes = bytes('disk');
  // Summed per role they may be a cluster's worth, but never more than a count can hold.
  const count = (name: string): number | undefined => fr.withinBound(finiteNumber(scalars[name]), MAX_COUNT, `${subject}.${name}`, name);
  const cpus = count('cpus');
  const gpus = count('gpus');
  return {
    ...(cpus !== undefined ? { cpus } : {}),
    ...(memBytes !== undefined ? { memBytes } : {}),
    ...(diskBytes !== undefined ? { diskBytes } : {}),
    ...(gpus !== undefined ? { gpus } : {}),
  };
}

/** `used_resources`, else its list twin `used_resources_full` (1.x). */
export function resourcesWithFull(fr: FieldReader, obj: Record<string, unknown>, key: string, subject: string): MesosResources | undefined {
  if (obj[key] !== undefined && obj[key] !== null) return parseResources(fr, obj[key], subject);
  return parseResources(fr, obj[`${key}_full`], subject);
}

// ---------------------------------------------------------------------------------------------
// /master/state

export function parseTask(fr: FieldReader, t: Record<string, unknown>, fw: { id?: string; name?: string }): MesosTaskInfo | undefined {
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

export function addTask(fr: FieldReader, tasks: Map<string, MesosTaskInfo>, task: MesosTaskInfo | undefined): void {
  if (task === undefined) return;
  if (tasks.has(task.taskId)) {
    fr.skip('duplicate_task');
    return;
  }
  tasks.set(task.taskId, task);
}

/** Context of {@link parseMasterState}. */
