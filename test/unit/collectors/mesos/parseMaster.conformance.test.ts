import { describe, expect, it } from 'vitest';
import {
  agentDocsFromState,
  parseMasterState,
  parseMetricsSnapshot,
  parseRoles,
} from '../../../../src/collectors/mesos/index.js';
import { capture, captureFiles } from '../http/captures.js';

const NOW = Date.parse('2026-11-22T03:00:00.000Z');
const T = 'mesos-test';
const MB = 1024 * 1024;
const snap = (file: string) => parseMetricsSnapshot(capture(`mesos-master/${file}`), { target: T, nowMs: NOW, masterUrl: 'http://m1:5050' });
const state = (file: string) => parseMasterState(capture(`mesos-master/${file}`), { target: T, nowMs: NOW });

/** Every capture file is named by a test below; a new capture must get expectations too. */
const COVERED = [
  'api_v1_GET_METRICS_apache-mesos-docs.json',
  'api_v1_GET_STATE_apache-mesos-docs.json',
  'metrics_snapshot_1.x_DERIVED-from-api-v1-GET_METRICS.json',
  'metrics_snapshot_mackerel_jenkins-framework.json',
  'roles_ddagent_0.22.json',
  'state-summary_dcos-ui_1.2.0_kafka-marathon.json',
  'state_dcos-metrics_1.2_trimmed.json',
  'state_dcos-ui_0.22.0_production-OVH1_TRIMMED.json',
  'state_dcos-ui_0.27.0_cassandra-marathon.json',
  'state_dcos-ui_1.2.0_kafka-marathon.json',
  'state_ddagent_0.22.json',
  'state_mesos-cli_0.19.json',
  'state_mesos-dns_multi-framework.json',
  'stats_json_legacy_ddagent_0.22.json',
];

describe('mesos-master conformance: every capture has expectations', () => {
  it('no capture without a test', () => {
    expect(captureFiles('mesos-master')).toEqual(COVERED);
  });
});

describe('master /metrics/snapshot', () => {
  it('mackerel (~0.2x, Jenkins framework): capacity in cores and bytes, counters, elected', () => {
    const r = snap('metrics_snapshot_mackerel_jenkins-framework.json');
    expect(r.errors).toEqual([]);
    expect(r.value.elected).toBe(true);
    const m = r.value.doc!.mesos;
    expect(m.master).toEqual({ url: 'http://m1:5050', elected: true, uptime_secs: 79859726.82003 });
    expect(m.cpus!.total).toBe(32);
    expect(m.cpus!.used).toBeCloseTo(14.55, 10);
    expect(m.cpus!.percent).toBeCloseTo(0.4546875, 10);
    // 116256 MB × 1,048,576 B/MB
    expect(m.mem!.total_bytes).toBe(121_903_251_456);
    // 15155.8 MB × 1,048,576 = 15,892,008,140.8 → rounded to whole bytes
    expect(m.mem!.used_bytes).toBe(15_892_008_141);
    expect(m.mem!.percent).toBeCloseTo(0.130365744563718, 12);
    expect(m.disk).toEqual({ total_bytes: 1_331_209_175_040, used_bytes: 0, percent: 0 });
    expect(m.gpus).toBeUndefined();
    expect(m.agents).toEqual({ active: 4, inactive: 0, connected: 4, disconnected: 0 });
    expect(m.frameworks).toEqual({ active: 1, inactive: 0 });
    expect(m.offers).toEqual({ outstanding: 0 });
    expect(m.tasks).toEqual({ staging: 0, starting: 0, running: 33, finished: 0, failed: 34790, killed: 493156, lost: 1197, error: 0 });
    expect(r.value.doc!['@timestamp']).toBe('2026-11-22T03:00:00.000Z');
    expect(r.value.doc!.event.dataset).toBe('mesos.master');
  });

  it('1.x key set (derived from GET_METRICS): gpus and tasks_killing appear; v1 GET_METRICS gives the same document', () => {
    const flat = snap('metrics_snapshot_1.x_DERIVED-from-api-v1-GET_METRICS.json');
    expect(flat.errors).toEqual([]);
    const m = flat.value.doc!.mesos;
    expect(m.gpus).toEqual({ total: 0, used: 0 });
    expect(m.tasks!.killing).toBe(0);
    expect(m.master.uptime_secs).toBeCloseTo(0.038900992, 12);
    expect(m.master.elected).toBe(true);
    const v1 = snap('api_v1_GET_METRICS_apache-mesos-docs.json');
    expect(v1.errors).toEqual([]);
    expect(v1.value.doc).toEqual(flat.value.doc);
  });

  it('legacy 0.22 /master/stats.json: the master/* keys are read, legacy keys ignored', () => {
    const r = snap('stats_json_legacy_ddagent_0.22.json');
    expect(r.errors).toEqual([]);
    const m = r.value.doc!.mesos;
    expect(m.cpus).toEqual({ total: 1, used: 1, percent: 1 });
    expect(m.mem!.total_bytes).toBe(244 * MB);
    expect(m.mem!.used_bytes).toBe(100 * MB);
    expect(m.disk!.total_bytes).toBe(35164 * MB);
    expect(m.tasks!.running).toBe(1);
    expect(m.master.elected).toBe(true);
  });

  it('an agent snapshot (slave/* keys only) is not a master snapshot: clear error, no document', () => {
    for (const file of ['metrics_snapshot_mackerel.json', 'stats_json_legacy_ddagent_0.22.json']) {
      const r = parseMetricsSnapshot(capture(`mesos-agent/${file}`), { target: T, nowMs: NOW, masterUrl: 'http://a1:5051' });
      expect(r.value.doc).toBeUndefined();
      expect(r.errors.map((e) => e.code)).toEqual(['RS_ERR_PARSE_SHAPE']);
      expect(r.errors[0]!.message).toMatch(/no master\/\* keys/);
    }
  });
});

describe('master /master/state', () => {
  it('1.2.0 (dcos-ui kafka/marathon): leader, agents with used_resources, Σ used = 2.51 cpu / 3822 MB, task index', () => {
    const r = state('state_dcos-ui_1.2.0_kafka-marathon.json');
    expect(r.errors).toEqual([]);
    const s = r.value;
    expect(s.isLeader).toBe(true);
    expect(s.leader).toBe('master@10.0.4.58:5050');
    expect(s.hostname).toBe('10.0.4.58');
    expect(s.electedTimeSecs).toBe(1483976561.15972);
    expect(s.cluster).toBe('frontend-us-west-2-ht0quvq7kr');
    expect(s.agents).toHaveLength(2);
    const usedCpus = s.agents.reduce((a, x) => a + (x.used?.cpus ?? 0), 0);
    const usedMem = s.agents.reduce((a, x) => a + (x.used?.memBytes ?? 0), 0);
    expect(usedCpus).toBeCloseTo(2.51, 10);
    expect(usedMem).toBe(3822 * MB);
    // cross-check with the frameworks' used_resources: 1.5 + 1.01 + 0 cpu, 2560 + 1262 + 0 MB
    expect(s.frameworks.reduce((a, f) => a + (f.used?.cpus ?? 0), 0)).toBeCloseTo(2.51, 10);
    expect(s.frameworks.reduce((a, f) => a + (f.used?.memBytes ?? 0), 0)).toBe(3822 * MB);
    expect(s.tasks.size).toBe(3);
    expect(s.tasks.get('broker-0__3c7ab984-a9b9-41fb-bb73-0569f88c657e')).toEqual({
      taskId: 'broker-0__3c7ab984-a9b9-41fb-bb73-0569f88c657e',
      name: 'broker-0',
      frameworkId: '74f1836b-6784-4030-816e-aacbdd45ff57-0002',
      frameworkName: 'confluent-kafka',
      agentId: '74f1836b-6784-4030-816e-aacbdd45ff57-S1',
      executorId: 'broker-0__d7edb331-2d31-46ad-a1f9-5aa34bc3b1a7',
      state: 'TASK_RUNNING',
      request: { cpus: 1, memBytes: 2304 * MB, diskBytes: 5000 * MB, gpus: 0 },
      containerId: 'dde2ffda-afcf-4f73-8568-bd8b11d02c76',
    });
    // command-executor task (executor_id ""): the executor is named after the task
    const marathon = s.tasks.get('no-healthcheck.7d61432d-d6a6-11e6-a564-8605ecf0a9df')!;
    expect(marathon.executorId).toBe('no-healthcheck.7d61432d-d6a6-11e6-a564-8605ecf0a9df');
    expect(marathon.request.cpus).toBe(0.01);
    expect(marathon.containerId).toBe('4e2be439-6091-4b43-a797-e132a4c74ce2');

    const docs = agentDocsFromState(s, NOW);
    const s1 = docs.find((d) => d.mesos.agent.id === '74f1836b-6784-4030-816e-aacbdd45ff57-S1')!;
    expect(s1.mesos).toEqual({
      cluster: 'frontend-us-west-2-ht0quvq7kr',
      agent: {
        id: '74f1836b-6784-4030-816e-aacbdd45ff57-S1',
        hostname: '10.0.2.121',
        active: true,
        resources: { cpus: 4, mem_bytes: 14018 * MB, disk_bytes: 35577 * MB },
        used: { cpus: 2.51, mem_bytes: 3822 * MB, disk_bytes: 5000 * MB },
      },
    });
    expect(s1.event.dataset).toBe('mesos.agent');
  });

  it('0.27.0 (cassandra): executor resources as protobuf lists; framework used = tasks + executors', () => {
    const r = state('state_dcos-ui_0.27.0_cassandra-marathon.json');
    expect(r.errors).toEqual([]);
    const s = r.value;
    expect(s.isLeader).toBe(true);
    expect(s.agents).toHaveLength(6);
    const cassandraId = 'b3bd182c-c6d7-463e-8bf0-06cd5807df4e-0001';
    const execs = s.executors.filter((e) => e.frameworkId === cassandraId);
    expect(execs).toHaveLength(3);
    for (const e of execs) expect(e.resources).toEqual({ cpus: 0.5, memBytes: 768 * MB });
    const taskCpus = [...s.tasks.values()].filter((t) => t.frameworkId === cassandraId).reduce((a, t) => a + (t.request.cpus ?? 0), 0);
    const execCpus = execs.reduce((a, e) => a + (e.resources.cpus ?? 0), 0);
    expect(taskCpus).toBe(1.5);
    expect(execCpus).toBe(1.5);
    expect(s.frameworks.find((f) => f.id === cassandraId)!.used!.cpus).toBe(taskCpus + execCpus);
    const s5 = s.agents.find((a) => a.id.endsWith('-S5'))!;
    expect(s5.used).toEqual({ cpus: 1, memBytes: 4864 * MB, diskBytes: 9216 * MB });
  });

  it('0.22.0 production (OVH1): no used_resources on agents → absent; 131 tasks indexed', () => {
    const r = state('state_dcos-ui_0.22.0_production-OVH1_TRIMMED.json');
    expect(r.errors).toEqual([]);
    expect(r.value.agents).toHaveLength(6);
    expect(r.value.agents.every((a) => a.used === undefined)).toBe(true);
    expect(r.value.agents.reduce((a, x) => a + (x.resources.cpus ?? 0), 0)).toBe(240);
    expect(r.value.tasks.size).toBe(131);
    expect(r.value.cluster).toBe('OVH1');
    const docs = agentDocsFromState(r.value, NOW, 'override');
    expect(docs[0]!.mesos.cluster).toBe('override');
    expect(docs[0]!.mesos.agent.used).toBeUndefined();
  });

  it('0.19 (mesos-cli) and 0.22 (dd-agent): old shapes, no active flag in 0.19', () => {
    const old = state('state_mesos-cli_0.19.json');
    expect(old.errors).toEqual([]);
    expect(old.value.isLeader).toBe(true);
    expect(old.value.agents.map((a) => a.active)).toEqual([undefined, undefined]);
    expect(old.value.tasks.get('app-215.3e6a099c-fcba-11e3-8b67-b6f6cc110ef2')!.request).toEqual({ cpus: 0.1, memBytes: 16 * MB, diskBytes: 0 });
    const dd = state('state_ddagent_0.22.json');
    expect(dd.errors).toEqual([]);
    expect(dd.value.cluster).toBe('datadog-test');
    expect([...dd.value.tasks.keys()]).toEqual(['hello.dc130e23-df88-11e4-b9ec-080027fc1312']);
    expect(dd.value.frameworks[0]!.used).toEqual({ cpus: 1, memBytes: 100 * MB, diskBytes: 0 });
  });

  it('ended tasks the master still lists (frameworks[].completed_tasks, completed_frameworks[]) keep their requests, apart from the active ones', () => {
    const old = state('state_mesos-cli_0.19.json');
    expect(old.value.completedTasks.size).toBe(13);
    expect(old.value.completedTasks.get('app-15.2b6891a2-fafd-11e3-a955-b6f6cc110ef2')!.request).toEqual({ cpus: 0.1, memBytes: 16 * MB, diskBytes: 0 });
    expect([...old.value.completedTasks.keys()].filter((id) => old.value.tasks.has(id))).toEqual([]);
    const ovh = state('state_dcos-ui_0.22.0_production-OVH1_TRIMMED.json');
    expect(ovh.errors).toEqual([]);
    // 16 under the active frameworks, 10 under completed_frameworks.
    expect(ovh.value.completedTasks.size).toBe(26);
    expect(ovh.value.completedTasks.get('srv2.hw.ca1.mesosphere.com-31010')!.request).toEqual({ cpus: 1, memBytes: 5120 * MB, diskBytes: 0 });
    expect(ovh.value.tasks.size).toBe(131);
    expect(state('state_ddagent_0.22.json').value.completedTasks.size).toBe(0);
  });

  it('mesos-dns (hand-grown): a repeated task id is counted, not duplicated; IPv6 hostname kept', () => {
    const r = state('state_mesos-dns_multi-framework.json');
    expect(r.errors).toEqual([]);
    expect(r.value.tasks.size).toBe(9);
    expect(r.skipped).toEqual({ duplicate_task: 1 });
    expect(r.value.tasks.get('toy-store.b8db9f73-562f-11e4-a088-c20493233aa5')!.containerId).toBe('da87d8aa-98f1-4fc3-a260-f92c116fc926');
    expect(r.value.agents.map((a) => a.hostname)).toContain('2001:db8::1');
  });

  it('trimmed 1.2 state without leader/pid: leadership unknown, not guessed', () => {
    const r = state('state_dcos-metrics_1.2_trimmed.json');
    expect(r.errors).toEqual([]);
    expect(r.value.isLeader).toBeUndefined();
    expect(r.value.agents).toEqual([]);
    expect(r.value.frameworks[0]!.used!.cpus).toBe(0.9);
  });

  it('state-summary 1.2: agents with used resources, no tasks, no leader', () => {
    const r = state('state-summary_dcos-ui_1.2.0_kafka-marathon.json');
    expect(r.errors).toEqual([]);
    expect(r.value.isLeader).toBeUndefined();
    expect(r.value.tasks.size).toBe(0);
    expect(r.value.agents.find((a) => a.hostname === '10.0.2.121')!.used).toEqual({ cpus: 2.51, memBytes: 3822 * MB, diskBytes: 5000 * MB, gpus: 0 });
  });

  it('v1 operator GET_STATE is recognised and refused with a clear error', () => {
    const r = state('api_v1_GET_STATE_apache-mesos-docs.json');
    expect(r.value.agents).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/GET_STATE/);
  });

  it('/roles 0.22: one role document with weight and allocation', () => {
    const r = parseRoles(capture('mesos-master/roles_ddagent_0.22.json'), { target: T, nowMs: NOW, cluster: 'c1' });
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual([
      {
        '@timestamp': '2026-11-22T03:00:00.000Z',
        event: { dataset: 'mesos.role', module: 'mesos' },
        mesos: { cluster: 'c1', role: { name: '*', weight: 1, allocated: { cpus: 1, mem_bytes: 100 * MB } } },
      },
    ]);
  });
});
