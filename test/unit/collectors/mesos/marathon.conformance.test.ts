import { describe, expect, it } from 'vitest';
import {
  containerDocFromReading,
  marathonAppIdFromTaskId,
  marathonAppIdOf,
  parseAgentState,
  parseAgentStatistics,
  parseMasterState,
  type MesosTaskInfo,
} from '../../../../src/collectors/mesos/index.js';
import { capture } from '../http/captures.js';

const NOW = Date.parse('2026-11-22T03:00:00.000Z');
const T = 'mesos-test';
const MB = 1024 * 1024;
const state = (file: string) => parseMasterState(capture(`mesos-master/${file}`), { target: T, nowMs: NOW });

/** app id → [task ids] of the Marathon tasks in a master state, with their requests. */
function apps(tasks: ReadonlyMap<string, MesosTaskInfo>): Record<string, { taskIds: string[]; cpus: number[]; memBytes: number[] }> {
  const out: Record<string, { taskIds: string[]; cpus: number[]; memBytes: number[] }> = {};
  for (const t of tasks.values()) {
    const id = marathonAppIdOf(t);
    if (id === undefined) continue;
    const e = (out[id] ??= { taskIds: [], cpus: [], memBytes: [] });
    e.taskIds.push(t.taskId);
    e.cpus.push(t.request.cpus!);
    e.memBytes.push(t.request.memBytes!);
  }
  return out;
}

describe('Marathon task ids', () => {
  it('safe path back to the app id: `_` separates groups, the leading `/` comes back', () => {
    expect(marathonAppIdFromTaskId('team_web.3c7ab984-a9b9-41fb-bb73-0569f88c657e')).toBe('/team/web');
    expect(marathonAppIdFromTaskId('no-healthcheck.7d61432d-d6a6-11e6-a564-8605ecf0a9df')).toBe('/no-healthcheck');
    // dots are legal in app ids: the uuid is what follows the last dot
    expect(marathonAppIdFromTaskId('a.b_web.7d61432d-d6a6-11e6-a564-8605ecf0a9df')).toBe('/a.b/web');
    // Marathon ≥ 1.5 instance ids, with and without the `._app.<n>` incarnation
    expect(marathonAppIdFromTaskId('team_web.instance-7d61432d-d6a6-11e6-a564-8605ecf0a9df._app.1')).toBe('/team/web');
    expect(marathonAppIdFromTaskId('team_web.marathon-7d61432d-d6a6-11e6-a564-8605ecf0a9df')).toBe('/team/web');
    // no delimiter, or an empty group: not an app id
    expect(marathonAppIdFromTaskId('nodot')).toBeUndefined();
    expect(marathonAppIdFromTaskId('team__web.7d61432d-d6a6-11e6-a564-8605ecf0a9df')).toBeUndefined();
  });

  it('only tasks of the marathon framework are apps', () => {
    expect(marathonAppIdOf({ taskId: 'web.1', frameworkName: 'marathon' })).toBe('/web');
    expect(marathonAppIdOf({ taskId: 'web.1', frameworkName: 'marathon-0.6.0-SNAPSHOT' })).toBe('/web');
    expect(marathonAppIdOf({ taskId: 'web.1', frameworkName: 'marathon-user' })).toBeUndefined();
    expect(marathonAppIdOf({ taskId: 'web.1', frameworkName: 'jenkins' })).toBeUndefined();
    expect(marathonAppIdOf({ taskId: 'web.1' })).toBeUndefined();
  });
});

describe('Marathon apps in real master states', () => {
  it('1.2.0 (dcos-ui kafka/marathon): two apps; the confluent-kafka broker task is not one', () => {
    const r = state('state_dcos-ui_1.2.0_kafka-marathon.json');
    expect(apps(r.value.tasks)).toEqual({
      // 1230 MB × 1,048,576 = 1,289,748,480 bytes
      '/confluent-kafka': { taskIds: ['confluent-kafka.825e1e2e-d6a6-11e6-a564-8605ecf0a9df'], cpus: [1], memBytes: [1230 * MB] },
      '/no-healthcheck': { taskIds: ['no-healthcheck.7d61432d-d6a6-11e6-a564-8605ecf0a9df'], cpus: [0.01], memBytes: [33_554_432] },
    });
    expect(marathonAppIdOf(r.value.tasks.get('broker-0__3c7ab984-a9b9-41fb-bb73-0569f88c657e')!)).toBeUndefined();
  });

  it('0.27.0 (dcos-ui cassandra/marathon): the cassandra scheduler is the one app, its servers are not', () => {
    const r = state('state_dcos-ui_0.27.0_cassandra-marathon.json');
    expect(apps(r.value.tasks)).toEqual({
      '/cassandra': { taskIds: ['cassandra.f3c25eea-da3d-11e5-af84-0242fa37187c'], cpus: [0.5], memBytes: [2_147_483_648] },
    });
  });

  it('mesos-dns multi-framework: the task id (not the hand-edited name) gives the app; other frameworks are not apps', () => {
    const r = state('state_mesos-dns_multi-framework.json');
    const a = apps(r.value.tasks);
    expect(Object.keys(a).sort()).toEqual(['/car-store', '/chronos', '/liquor-store', '/nginx', '/poseidon', '/reviewbot']);
    // liquor-store.b8db… is listed twice (names liquor.store and big.dog2): the first is kept
    expect(a['/liquor-store']!.taskIds.sort()).toEqual(['liquor-store.b71166c1-562f-11e4-a088-c20493233aa5', 'liquor-store.b8db9f73-562f-11e4-a088-c20493233aa5']);
    expect(a['/chronos']).toMatchObject({ cpus: [0.1], memBytes: [385 * MB] });
    expect(a['/nginx']).toMatchObject({ cpus: [0.1], memBytes: [134_217_728] });
    // Marathon-style ids under other frameworks
    expect(marathonAppIdOf(r.value.tasks.get('toy-store.b8db9f73-562f-11e4-a088-c20493233aa5')!)).toBeUndefined();
    expect(marathonAppIdOf(r.value.tasks.get('some-box.b8db9f73-562f-11e4-a088-c20493233aa5')!)).toBeUndefined();
  });
});

describe('mesos.executor documents of Marathon tasks', () => {
  it('0.19 agent state + statistics (marathon-0.6.0-SNAPSHOT): app id and the task request on the document', () => {
    const agent = parseAgentState(capture('mesos-agent/state_mesos-cli_0.19.json'), { target: T }).value;
    const stats = parseAgentStatistics(capture('mesos-agent/monitor_statistics_mesos-cli_0.19.json'), { target: T }).value;
    const docs = stats.map((reading) => {
      const executor = agent.executors.get(`${reading.frameworkId}/${reading.executorId}`)!;
      return containerDocFromReading(undefined, reading, { nowMs: NOW, agentUrl: 'http://a:5051', executor, task: agent.tasks.get(executor.taskIds[0]!)! }).value;
    });
    expect(docs.map((d) => [d.mesos!.task!.id, d.marathon, d.request]).sort()).toEqual([
      // 0.1 cpus, 16 MB = 16,777,216 bytes each
      ['app-15.41fef02d-fcba-11e3-8b67-b6f6cc110ef2', { app: { id: '/app-15' } }, { cpu_cores: 0.1, memory_bytes: 16_777_216 }],
      ['app-215.3e6a099c-fcba-11e3-8b67-b6f6cc110ef2', { app: { id: '/app-215' } }, { cpu_cores: 0.1, memory_bytes: 16_777_216 }],
    ]);
  });

  it('a task from the 1.2.0 master state: request and app id; a task that is not the document\'s adds nothing', () => {
    const tasks = state('state_dcos-ui_1.2.0_kafka-marathon.json').value.tasks;
    const id = 'no-healthcheck.7d61432d-d6a6-11e6-a564-8605ecf0a9df';
    const reading = { frameworkId: '74f1836b-6784-4030-816e-aacbdd45ff57-0001', executorId: id, executorName: `Command Executor (Task: ${id})`, statistics: { memRssBytes: 10 * MB } };
    const d = containerDocFromReading(undefined, reading, { nowMs: NOW, agentUrl: 'u', task: tasks.get(id)! }).value;
    expect(d.marathon).toEqual({ app: { id: '/no-healthcheck' } });
    expect(d.request).toEqual({ cpu_cores: 0.01, memory_bytes: 33_554_432 });
    const other = containerDocFromReading(undefined, reading, { nowMs: NOW, agentUrl: 'u', task: tasks.get('confluent-kafka.825e1e2e-d6a6-11e6-a564-8605ecf0a9df')! }).value;
    expect(other.marathon).toBeUndefined();
    expect(other.request).toBeUndefined();
    // the broker task of confluent-kafka: a request, no app
    const broker = tasks.get('broker-0__3c7ab984-a9b9-41fb-bb73-0569f88c657e')!;
    const bd = containerDocFromReading(undefined, { ...reading, executorId: 'broker-0__d7edb331-2d31-46ad-a1f9-5aa34bc3b1a7', executorName: 'x' }, {
      nowMs: NOW,
      agentUrl: 'u',
      executor: { frameworkId: 'f', executorId: 'broker-0__d7edb331-2d31-46ad-a1f9-5aa34bc3b1a7', taskIds: [broker.taskId] },
      task: broker,
    }).value;
    expect(bd.marathon).toBeUndefined();
    expect(bd.request).toEqual({ cpu_cores: 1, memory_bytes: 2304 * MB });
  });
});
