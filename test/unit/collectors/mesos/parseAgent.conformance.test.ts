import { describe, expect, it } from 'vitest';
import {
  containerDocFromReading,
  cpuCoresBetween,
  parseAgentState,
  parseAgentStatistics,
} from '../../../../src/collectors/mesos/index.js';
import { capture, captureFiles } from '../http/captures.js';

const NOW = Date.parse('2026-11-22T03:00:00.000Z');
const T = 'mesos-test';
const MB = 1024 * 1024;

/** Every capture file is named by a test below; a new capture must get expectations too. */
const COVERED = [
  'api_v1_GET_CONTAINERS_apache-mesos-docs.json',
  'containers_dcos-metrics.json',
  'containers_dcos-metrics_no-statistics.json',
  'metrics_snapshot_mackerel.json',
  'monitor_statistics_apache-mesos-docs_port-mapping.json',
  'monitor_statistics_mesos-cli_0.19.json',
  'state_dcos-metrics_trimmed.json',
  'state_dcos-ui_0.27.0_cassandra.json',
  'state_ddagent_0.22.json',
  'state_mesos-cli_0.19.json',
  'stats_json_legacy_ddagent_0.22.json',
];

describe('mesos-agent conformance: every capture has expectations', () => {
  it('no capture without a test', () => {
    expect(captureFiles('mesos-agent')).toEqual(COVERED);
  });
});

describe('agent /monitor/statistics and /containers', () => {
  const ctx = { nowMs: NOW, agentUrl: 'http://a1:5051', agentId: 'S0', agentHostname: 'a1' };

  it('0.19: six basic fields; rss as working set; cores absent on the first reading', () => {
    const r = parseAgentStatistics(capture('mesos-agent/monitor_statistics_mesos-cli_0.19.json'), { target: T });
    expect(r.errors).toEqual([]);
    expect(r.value).toHaveLength(2);
    const app215 = r.value[0]!;
    expect(app215.executorId).toBe('app-215.3e6a099c-fcba-11e3-8b67-b6f6cc110ef2');
    expect(app215.statistics).toEqual({
      timestampSecs: 1403819237.307,
      cpusUserTimeSecs: 26.25,
      cpusSystemTimeSecs: 55.99,
      cpusLimit: 0.1,
      memRssBytes: 10964992,
      memLimitBytes: 16777216,
    });
    const d = containerDocFromReading(undefined, app215, ctx);
    expect(d.skipped['first_reading']).toBe(1);
    expect(d.value.cpu).toEqual({ limit_cores: 0.1 });
    expect(d.value.memory).toEqual({ working_set_bytes: 10964992, rss_bytes: 10964992, limit_bytes: 16777216 });
    expect(d.value.event).toEqual({ dataset: 'mesos.executor', module: 'mesos' });
    // command executor: the executor id is the task id (mesos-plugin agents too)
    expect(d.value.mesos).toEqual({
      agent: { id: 'S0' },
      framework: { id: '20140612-230025-16842879-5050-1151-0000' },
      executor: { id: 'app-215.3e6a099c-fcba-11e3-8b67-b6f6cc110ef2' },
      task: { id: 'app-215.3e6a099c-fcba-11e3-8b67-b6f6cc110ef2' },
    });
    // Since the task started (status timestamp 1403736269.35222 in the 0.19 master state, zero
    // counters): 82.24 CPU-s / 82,967.95 s = 0.000991 cores, against a limit of 0.1.
    const rate = cpuCoresBetween({ timestampSecs: 1403736269.35222, cpusUserTimeSecs: 0, cpusSystemTimeSecs: 0 }, app215.statistics);
    expect(rate.ok).toBe(true);
    if (rate.ok) expect(rate.cores).toBeCloseTo(0.000991226, 8);
  });

  it('0.23 port-mapping docs: throttling, working set = total − file, and deltas against a later reading', () => {
    const r = parseAgentStatistics(capture('mesos-agent/monitor_statistics_apache-mesos-docs_port-mapping.json'), { target: T });
    expect(r.errors).toEqual([]);
    const cur = r.value[0]!;
    expect(cur.statistics.cpusNrPeriods).toBe(16314);
    const first = containerDocFromReading(undefined, cur, ctx);
    // 9,945,088 − 16,384 file bytes
    expect(first.value.memory).toEqual({ working_set_bytes: 9928704, rss_bytes: 8388608, usage_bytes: 9945088, limit_bytes: 167772160 });
    expect(first.value.cpu).toEqual({ limit_cores: 1.1 });
    // A reading 10 s later with +11 CPU-s (user +1, sys +10), +100 throttled periods, +0.5 s throttled:
    const later = {
      ...cur.statistics,
      timestampSecs: 1436300497.41595,
      cpusUserTimeSecs: 124.49,
      cpusSystemTimeSecs: 2677.06,
      cpusNrThrottled: 16413,
      cpusThrottledTimeSecs: 8037.340845388,
    };
    const second = containerDocFromReading(cur.statistics, { ...cur, statistics: later }, ctx);
    expect(second.value.cpu!.cores).toBeCloseTo(1.1, 9);
    expect(second.value.cpu!.interval_ms).toBe(10000);
    expect(second.value.cpu!.throttled).toEqual({ periods: 100, time_ms: 500 });
  });

  it('/containers (dcos-metrics, edited): container id; inconsistent memory → no working set; no timestamp → no rate', () => {
    const r = parseAgentStatistics(capture('mesos-agent/containers_dcos-metrics.json'), { target: T });
    expect(r.errors).toEqual([]);
    const c = r.value[0]!;
    expect(c.containerId).toBe('e4faacb2-f69f-4ea1-9d96-eb06fea75eef');
    const d = containerDocFromReading(c.statistics, c, ctx);
    // mem_total_bytes 4,476,928 < mem_file_bytes 15,962,112: the capture's numbers disagree
    expect(d.skipped['memory_inconsistent']).toBe(1);
    expect(d.value.memory!.working_set_bytes).toBeUndefined();
    expect(d.value.memory!.rss_bytes).toBe(435118080);
    expect(d.skipped['missing_counters']).toBe(1);
    expect(d.value.container).toEqual({ id: 'e4faacb2-f69f-4ea1-9d96-eb06fea75eef', name: 'mesos-e4faacb2-f69f-4ea1-9d96-eb06fea75eef', runtime: 'mesos' });
    expect(d.value.mesos!.container).toEqual({ id: 'e4faacb2-f69f-4ea1-9d96-eb06fea75eef' });
  });

  it('/containers with an entry without statistics: skipped and counted', () => {
    const r = parseAgentStatistics(capture('mesos-agent/containers_dcos-metrics_no-statistics.json'), { target: T });
    expect(r.errors).toEqual([]);
    expect(r.value).toHaveLength(1);
    expect(r.skipped).toEqual({ no_statistics: 1 });
    const d = containerDocFromReading(undefined, r.value[0]!, ctx);
    // only mem_total_bytes, no file/cache: usage is the working set
    expect(d.value.memory).toEqual({ working_set_bytes: 4476928, usage_bytes: 4476928, limit_bytes: 167772160 });
  });

  it('v1 GET_CONTAINERS: ids as {value}, resource_statistics, timestamp 0 → no rate', () => {
    const r = parseAgentStatistics(capture('mesos-agent/api_v1_GET_CONTAINERS_apache-mesos-docs.json'), { target: T });
    expect(r.errors).toEqual([]);
    expect(r.value[0]).toMatchObject({ executorId: 'default', containerId: 'f0f97041-1860-4b4a-b279-91fec4e0ebd8', statistics: { memLimitBytes: 2048, timestampSecs: 0 } });
    const d = containerDocFromReading(r.value[0]!.statistics, r.value[0]!, ctx);
    expect(d.skipped['missing_counters']).toBe(1);
  });
});

describe('agent /state', () => {
  it('0.27 cassandra: executor → container id and task ids; hostname', () => {
    const r = parseAgentState(capture('mesos-agent/state_dcos-ui_0.27.0_cassandra.json'), { target: T });
    expect(r.errors).toEqual([]);
    expect(r.value.id).toBe('b3bd182c-c6d7-463e-8bf0-06cd5807df4e-S2');
    expect(r.value.hostname).toBe('10.0.1.109');
    expect(r.value.executors.get('b3bd182c-c6d7-463e-8bf0-06cd5807df4e-0001/server-0_10a_executor')).toEqual({
      frameworkId: 'b3bd182c-c6d7-463e-8bf0-06cd5807df4e-0001',
      executorId: 'server-0_10a_executor',
      containerId: '6ce1f063-3838-49b9-b6aa-428127094507',
      taskIds: ['server-0_10a'],
    });
    expect(r.value.tasks.get('server-0_10a')!.request).toEqual({ cpus: 0.5, memBytes: 4096 * MB, diskBytes: 9216 * MB });
  });

  it('0.22 dd-agent and 0.19 mesos-cli: command executors with their containers', () => {
    const dd = parseAgentState(capture('mesos-agent/state_ddagent_0.22.json'), { target: T });
    expect(dd.errors).toEqual([]);
    const e = dd.value.executors.get('20150403-140128-251789322-5050-6047-0000/hello.dc130e23-df88-11e4-b9ec-080027fc1312')!;
    expect(e.containerId).toBe('f67a5e0b-91f9-474a-94a0-e2c6a3b28ea4');
    expect(e.taskIds).toEqual(['hello.dc130e23-df88-11e4-b9ec-080027fc1312']);
    const old = parseAgentState(capture('mesos-agent/state_mesos-cli_0.19.json'), { target: T });
    expect(old.errors).toEqual([]);
    expect(old.value.executors.size).toBe(2);
    expect(old.value.hostname).toBe('10.141.141.10');
    // the 0.19 statistics pair with this state: the join gives the container id
    const stats = parseAgentStatistics(capture('mesos-agent/monitor_statistics_mesos-cli_0.19.json'), { target: T });
    const reading = stats.value[0]!;
    const exec = old.value.executors.get(`${reading.frameworkId}/${reading.executorId}`)!;
    const d = containerDocFromReading(undefined, reading, { nowMs: NOW, agentUrl: 'http://a:5051', agentId: old.value.id!, executor: exec });
    expect(d.value.container.id).toBe('3db4a3e8-52c7-4b3f-8a30-f9cb0dc3d6ba');
    expect(d.value.mesos!.task!.id).toBe('app-215.3e6a099c-fcba-11e3-8b67-b6f6cc110ef2');
    expect(d.value.mesos!.agent!.id).toBe('20140619-151434-16842879-5050-1196-0');
  });

  it('dcos-metrics trimmed (1.x): executor container wins over the task status container', () => {
    const r = parseAgentState(capture('mesos-agent/state_dcos-metrics_trimmed.json'), { target: T });
    expect(r.errors).toEqual([]);
    expect(r.value.id).toBeUndefined();
    const e = [...r.value.executors.values()][0]!;
    expect(e.containerId).toBe('e4c2f9f6-47aa-481d-a183-a21e8435bc06');
    expect(r.value.tasks.get('foo.124b1048-a17a-11e6-9182-080027fb5b88')!.containerId).toBe('e4faacb2-f69f-4ea1-9d96-eb06fea75eef');
  });
});
