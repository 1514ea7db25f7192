import { describe, expect, it } from 'vitest';
import { MesosAgentCollector } from '../../../../src/collectors/mesos/index.js';
import { ManualClock } from '../../../../src/util/clock.js';
import { json } from '../http/fakeServer.js';
import { capture } from '../http/captures.js';
import { containerDocs as containers, fakeMesosServers, type Stats } from './fixtures.js';

const agent = fakeMesosServers();

const APP215 = 'app-215.3e6a099c-fcba-11e3-8b67-b6f6cc110ef2';

describe('MesosAgentCollector on real agent captures', () => {
  it('real 0.19 agent state + statistics: join on the first poll, cores on the second', async () => {
    const a = await agent();
    let stats = capture('mesos-agent/monitor_statistics_mesos-cli_0.19.json') as Stats;
    a.routes.set('/state', json(capture('mesos-agent/state_mesos-cli_0.19.json')));
    a.routes.set('/monitor/statistics', json(() => stats));
    const clock = new ManualClock(Date.parse('2026-11-22T03:00:00Z'));
    const c = new MesosAgentCollector({ agents: [a.url], timeoutMs: 2000, maxResponseBytes: 1_000_000, clock });

    const first = await c.collect(new AbortController().signal);
    expect(first.errors).toEqual([]);
    expect(first.skipped).toEqual({ first_reading: 2 });
    const d1 = containers(first.samples).find((d) => d.mesos?.executor?.id === APP215)!;
    expect(d1.container.id).toBe('3db4a3e8-52c7-4b3f-8a30-f9cb0dc3d6ba');
    expect(d1.mesos!.task!.id).toBe(APP215);
    expect(d1.host).toEqual({ name: '10.141.141.10' });
    expect(d1.service).toEqual({ address: `${a.url}/` });
    expect(d1.cpu!.cores).toBeUndefined();

    // 5 s later app-215 used 0.4 + 0.1 more CPU-seconds → 0.1 cores
    stats = stats.map((e) =>
      e.executor_id === APP215
        ? { ...e, statistics: { ...e.statistics!, timestamp: e.statistics!.timestamp! + 5, cpus_user_time_secs: e.statistics!.cpus_user_time_secs! + 0.4, cpus_system_time_secs: e.statistics!.cpus_system_time_secs! + 0.1 } }
        : e,
    );
    clock.advance(5000);
    const second = await c.collect(new AbortController().signal);
    const d2 = containers(second.samples).find((d) => d.mesos?.executor?.id === APP215)!;
    expect(d2.cpu!.cores).toBeCloseTo(0.1, 9);
    expect(d2.cpu!.interval_ms).toBe(5000);
    expect(d2['@timestamp']).toBe('2026-11-22T03:00:05.000Z');
    // the other executor's timestamp did not move: no rate, counted
    expect(second.skipped).toEqual({ non_increasing_time: 1 });
    expect(c.agentStates().get(a.url)!.hostname).toBe('10.141.141.10');
  });
});

describe('MesosAgentCollector against an old agent', () => {
  it('falls back to /state.json and /monitor/statistics.json', async () => {
    const a = await agent();
    a.routes.set('/state.json', json(capture('mesos-agent/state_mesos-cli_0.19.json')));
    a.routes.set('/monitor/statistics.json', json(capture('mesos-agent/monitor_statistics_mesos-cli_0.19.json')));
    const c = new MesosAgentCollector({ agents: [a.url], timeoutMs: 2000, maxResponseBytes: 1_000_000 });
    const r = await c.collect(new AbortController().signal);
    expect(r.errors).toEqual([]);
    expect(containers(r.samples).map((d) => d.container.id).sort()).toEqual(['3db4a3e8-52c7-4b3f-8a30-f9cb0dc3d6ba', '6de5ce8a-62c2-473a-9523-ee0fad1f0d5c']);
  });
});
