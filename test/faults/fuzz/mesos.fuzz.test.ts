/**
 * Fault case 5, Mesos: the master (`/metrics/snapshot`, v1 `GET_METRICS`, `/master/state`,
 * `/roles`) and agent (`/monitor/statistics`, `/containers`, `/state`) parsers, the Marathon app
 * id, and the `mesos.master`, `mesos.agent`, `mesos.role` and `mesos.executor` documents built
 * from them, fed random, mutated, truncated and hostile bodies. The valid bodies are the real
 * captures in ../shared/real-captures/mesos-master and mesos-agent (read here, never copied)
 * and one synthetic statistics pair.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  agentDocsFromState,
  containerDocFromReading,
  CFS_RATE_TOLERANCE,
  marathonAppIdFromTaskId,
  parseAgentState,
  parseAgentStatistics,
  parseMasterState,
  parseMetricsSnapshot,
  parseRoles,
} from '../../../src/collectors/mesos/index.js';
import { decodeBody, expectSaneNumbers, fuzz, FUZZ_SEED, hostileJson, hostileValue, mutatedOneOf, plainData, realCaptures, runsDone, truncatedBytes } from './support.js';

const NOW = Date.parse('2026-11-22T03:00:00Z');
const TARGET = 'mesos';
const master = realCaptures('mesos-master');
const agent = realCaptures('mesos-agent');
const of = (captures: typeof master, pattern: RegExp): unknown[] => captures.filter((c) => pattern.test(c.name)).map((c) => c.body);

const STATS_ENTRY = (t: number, user: number): unknown => ({
  framework_id: 'fw-1',
  executor_id: 'jenkins-agent-1',
  executor_name: 'Command Executor (Task: jenkins-agent-1)',
  source: 'jenkins-agent-1',
  statistics: { timestamp: t, cpus_user_time_secs: user, cpus_system_time_secs: user / 10, cpus_limit: 2.1, cpus_nr_periods: 100, cpus_nr_throttled: 3, cpus_throttled_time_secs: 0.5, mem_rss_bytes: 300_000_000, mem_total_bytes: 400_000_000, mem_file_bytes: 50_000_000, mem_limit_bytes: 1_073_741_824, processes: 12 },
});
const SYNTHETIC_STATS = [[STATS_ENTRY(1795316400, 10)], [STATS_ENTRY(1795316410, 14)]];
const SNAPSHOTS = of(master, /^(metrics_snapshot|api_v1_GET_METRICS|stats_json)/);
const MASTER_STATES = of(master, /^(state|api_v1_GET_STATE)/);
const ROLES = of(master, /^roles/);
const AGENT_STATS = [...SYNTHETIC_STATS, ...of(agent, /^(monitor_statistics|containers|api_v1_GET_CONTAINERS)/)];
const AGENT_STATES = of(agent, /^state/);
// the fuzz never runs on nothing: a minimal body of each kind when the captures are absent
const orMinimal = (list: unknown[], minimal: unknown): unknown[] => (list.length > 0 ? list : [minimal]);
const SNAPSHOT_BASES = orMinimal(SNAPSHOTS, { 'master/elected': 1, 'master/uptime_secs': 100, 'master/cpus_total': 32, 'master/cpus_used': 14.5, 'master/mem_total': 116256, 'master/mem_used': 1000 });
const STATE_BASES = orMinimal(MASTER_STATES, { cluster: 'c', leader: 'master@10.0.0.1:5050', slaves: [{ id: 'a1', hostname: 'h1', pid: 'slave(1)@10.0.0.2:5051', resources: { cpus: 8, mem: 16000, disk: 1000 }, used_resources: { cpus: 1, mem: 100, disk: 0 }, active: true }], frameworks: [] });
const ROLE_BASES = orMinimal(ROLES, { roles: [{ name: '*', weight: 1, resources: { cpus: 1, mem: 100, disk: 0 } }] });
const AGENT_STATE_BASES = orMinimal(AGENT_STATES, { id: 'a1', hostname: 'h1', frameworks: [] });

/** Every error a parser returns is data with a stable code. */
function checkErrors(errors: ReadonlyArray<{ readonly code: string }>): void {
  for (const e of errors) expect(['RS_ERR_PARSE_SHAPE', 'RS_ERR_PARSE_RANGE']).toContain(e.code);
}

function checkDoc(doc: unknown): void {
  expectSaneNumbers(doc);
  expect(plainData(doc)).toBe(true);
  expect(Number.isNaN(Date.parse((doc as { '@timestamp': string })['@timestamp']))).toBe(false);
}

describe('mesos parsers under fuzz (fault case 5)', () => {
  afterAll(() => {
    process.stdout.write(`[fuzz mesos] seed ${FUZZ_SEED}, ${runsDone.count} runs, ${master.length + agent.length} real captures read\n`);
  });

  it('hostile JSON into every parser: no throw, errors as data', () => {
    fuzz(
      fc.property(hostileJson, (body) => {
        checkErrors(parseMetricsSnapshot(body, { target: TARGET, nowMs: NOW, masterUrl: 'http://m:5050' }).errors);
        const state = parseMasterState(body, { target: TARGET, nowMs: NOW });
        checkErrors(state.errors);
        agentDocsFromState(state.value, NOW).forEach(checkDoc);
        checkErrors(parseRoles(body, { target: TARGET, nowMs: NOW }).errors);
        checkErrors(parseAgentStatistics(body, { target: TARGET }).errors);
        checkErrors(parseAgentState(body, { target: TARGET }).errors);
      }),
      400,
    );
  });

  it('mutated /metrics/snapshot and GET_METRICS → a mesos.master document with finite, non-negative, whole bytes, fractions in 0..1', () => {
    fuzz(
      fc.property(mutatedOneOf(SNAPSHOT_BASES, 5), (body) => {
        const r = parseMetricsSnapshot(body, { target: TARGET, nowMs: NOW, masterUrl: 'http://m:5050', cluster: 'c' });
        checkErrors(r.errors);
        if (r.value.uptimeSecs !== undefined) expect(Number.isFinite(r.value.uptimeSecs) && r.value.uptimeSecs >= 0).toBe(true);
        if (r.value.doc !== undefined) checkDoc(r.value.doc);
      }),
      400,
    );
  });

  it('mutated /master/state → mesos.agent documents with sane numbers; task requests finite and non-negative', () => {
    fuzz(
      fc.property(mutatedOneOf(STATE_BASES, 5), (body) => {
        const r = parseMasterState(body, { target: TARGET, nowMs: NOW });
        checkErrors(r.errors);
        agentDocsFromState(r.value, NOW, 'c').forEach(checkDoc);
        for (const t of [...r.value.tasks.values(), ...r.value.completedTasks.values()]) {
          expectSaneNumbers(t.request);
          expect(t.taskId.length).toBeGreaterThan(0);
        }
      }),
      300,
    );
  });

  it('mutated /roles → mesos.role documents with sane numbers', () => {
    fuzz(
      fc.property(mutatedOneOf(ROLE_BASES, 5), (body) => {
        const r = parseRoles(body, { target: TARGET, nowMs: NOW, cluster: 'c' });
        checkErrors(r.errors);
        r.value.forEach(checkDoc);
      }),
      300,
    );
  });

  it('a role weight of any value → a finite weight in [0, 2^53), or none', () => {
    fuzz(
      fc.property(fc.oneof(hostileValue, fc.double()), (weight) => {
        const r = parseRoles({ roles: [{ name: 'ci', weight }] }, { target: TARGET, nowMs: NOW });
        checkErrors(r.errors);
        for (const doc of r.value) {
          checkDoc(doc);
          const w = doc.mesos.role.weight;
          if (w !== undefined) expect(Number.isFinite(w) && w >= 0 && w < 2 ** 53).toBe(true);
        }
      }),
      200,
    );
  });

  it('mutated /monitor/statistics and /containers pairs + agent /state → mesos.executor documents with finite, non-negative, whole figures, cores within the host', () => {
    fuzz(
      fc.property(mutatedOneOf(AGENT_STATS, 4), mutatedOneOf(AGENT_STATS, 4), mutatedOneOf(AGENT_STATE_BASES, 3), fc.option(fc.integer({ min: 1, max: 256 })), (a, b, st, hostCpus) => {
        const prev = parseAgentStatistics(a, { target: TARGET });
        const cur = parseAgentStatistics(b, { target: TARGET });
        const state = parseAgentState(st, { target: TARGET });
        for (const r of [prev, cur, state]) checkErrors(r.errors);
        for (const reading of cur.value) {
          expectSaneNumbers(reading.statistics);
          const before = prev.value.find((p) => p.executorId === reading.executorId && p.frameworkId === reading.frameworkId);
          const executor = state.value.executors.get(`${reading.frameworkId}/${reading.executorId}`);
          const task = executor?.taskIds[0] !== undefined ? state.value.tasks.get(executor.taskIds[0]) : undefined;
          const doc = containerDocFromReading(before?.statistics, reading, {
            nowMs: NOW,
            agentUrl: 'http://agent:5051',
            ...(hostCpus !== null && { hostCpus }),
            ...(state.value.id !== undefined && { agentId: state.value.id }),
            ...(executor !== undefined && { executor }),
            ...(task !== undefined && { task }),
          });
          checkErrors(doc.errors);
          checkDoc(doc.value);
          const cores = doc.value.cpu?.cores;
          if (cores !== undefined && hostCpus !== null) expect(cores).toBeLessThanOrEqual(hostCpus * CFS_RATE_TOLERANCE);
        }
      }),
      400,
    );
  });

  it('Marathon app ids from random task ids: a non-empty /-path or none, never a throw', () => {
    fuzz(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('app.1234', 'group_app.5a4e-11e6', '...', 'x.', '.x', '__proto__.1', 'a_b_c.marathon-1f')), (id) => {
        const app = marathonAppIdFromTaskId(id);
        if (app !== undefined) {
          expect(app.startsWith('/')).toBe(true);
          expect(app.length).toBeGreaterThan(1);
        }
      }),
      300,
    );
  });

  it('truncated byte prefixes of valid bodies: no throw, and a prefix that still parses gives sane documents', () => {
    const bodies = [...SNAPSHOT_BASES, ...STATE_BASES, ...ROLE_BASES, ...AGENT_STATS, ...AGENT_STATE_BASES].map((b) => JSON.stringify(b));
    fuzz(
      fc.property(fc.oneof(...bodies.map(truncatedBytes)), (bytes) => {
        const d = decodeBody(bytes);
        if (!d.json) return;
        const snap = parseMetricsSnapshot(d.value, { target: TARGET, nowMs: NOW, masterUrl: 'http://m:5050' }).value.doc;
        if (snap !== undefined) checkDoc(snap);
        agentDocsFromState(parseMasterState(d.value, { target: TARGET, nowMs: NOW }).value, NOW).forEach(checkDoc);
        parseRoles(d.value, { target: TARGET, nowMs: NOW }).value.forEach(checkDoc);
        for (const r of parseAgentStatistics(d.value, { target: TARGET }).value) checkDoc(containerDocFromReading(undefined, r, { nowMs: NOW, agentUrl: 'http://agent:5051' }).value);
        parseAgentState(d.value, { target: TARGET });
      }),
      300,
    );
  });
});
