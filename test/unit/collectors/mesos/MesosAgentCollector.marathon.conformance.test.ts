import { afterEach, describe, expect, it } from 'vitest';
import { MesosAgentCollector, parseMasterState } from '../../../../src/collectors/mesos/index.js';
import type { ContainerDoc, Sample } from '../../../../src/model/index.js';
import { fakeServer, json, type FakeServer } from '../http/fakeServer.js';
import { capture } from '../http/captures.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const containers = (samples: readonly Sample[]): ContainerDoc[] => samples.flatMap((s) => (s.kind === 'container' ? [s.doc] : []));
const APP15 = 'app-15.41fef02d-fcba-11e3-8b67-b6f6cc110ef2';
const APP215 = 'app-215.3e6a099c-fcba-11e3-8b67-b6f6cc110ef2';

describe('MesosAgentCollector: Marathon apps', () => {
  it('real 0.19 agent: the agent state names the marathon framework, so each executor document carries its app and request', async () => {
    const a = await fakeServer();
    servers.push(a);
    a.routes.set('/state', json(capture('mesos-agent/state_mesos-cli_0.19.json')));
    a.routes.set('/monitor/statistics', json(capture('mesos-agent/monitor_statistics_mesos-cli_0.19.json')));
    const c = new MesosAgentCollector({ agents: [a.url], timeoutMs: 2000, maxResponseBytes: 1_000_000 });
    const docs = containers((await c.collect(new AbortController().signal)).samples);
    const byTask = new Map(docs.map((d) => [d.mesos?.task?.id, d]));
    expect(byTask.get(APP15)!.marathon).toEqual({ app: { id: '/app-15' } });
    expect(byTask.get(APP215)!.marathon).toEqual({ app: { id: '/app-215' } });
    // 0.1 cpus, 16 MB × 1,048,576
    expect(byTask.get(APP215)!.request).toEqual({ cpu_cores: 0.1, memory_bytes: 16_777_216 });
  });

  it('without agent /state, the leader task index supplies the task (command executor: executor id = task id)', async () => {
    const a = await fakeServer();
    servers.push(a);
    a.routes.set('/monitor/statistics', json(capture('mesos-agent/monitor_statistics_mesos-cli_0.19.json')));
    const master = parseMasterState(capture('mesos-master/state_mesos-cli_0.19.json'), { target: 't', nowMs: 0 }).value;
    const c = new MesosAgentCollector({ agents: [a.url], timeoutMs: 2000, maxResponseBytes: 1_000_000, masterTasks: () => master.tasks });
    const r = await c.collect(new AbortController().signal);
    expect(r.skipped).toMatchObject({ no_agent_state: 2 });
    const d = containers(r.samples).find((x) => x.mesos?.executor?.id === APP215)!;
    expect(d.mesos!.task).toEqual({ id: APP215 });
    expect(d.marathon).toEqual({ app: { id: '/app-215' } });
    expect(d.request).toEqual({ cpu_cores: 0.1, memory_bytes: 16_777_216 });
  });
});
