import { describe, expect, it } from 'vitest';
import { MesosAgentCollector } from '../../../../src/collectors/mesos/index.js';
import { UpstreamError } from '../../../../src/errors/index.js';
import { json, text } from '../http/fakeServer.js';
import { containerDocs as containers, fakeMesosServers, type Stats } from './fixtures.js';

const agent = fakeMesosServers();


describe('MesosAgentCollector', () => {
  it('one agent answering garbage is an error for that agent only; the other is collected', async () => {
    const good = await agent();
    const bad = await agent();
    good.routes.set('/state', json({ id: 'S-good', hostname: 'good', frameworks: [] }));
    good.routes.set('/monitor/statistics', json([{ executor_id: 'e', framework_id: 'f', statistics: { timestamp: 1, mem_rss_bytes: 100 } }]));
    bad.routes.set('/state', text('<html><body>502 Bad Gateway</body></html>'));
    bad.routes.set('/monitor/statistics', text('[{"executor_id": "x", "statist'));
    const c = new MesosAgentCollector({ agents: [good.url, bad.url], timeoutMs: 2000, maxResponseBytes: 1_000_000 });
    const r = await c.collect(new AbortController().signal);
    expect(containers(r.samples).map((d) => d.mesos!.agent!.id)).toEqual(['S-good']);
    expect(r.errors.map((e) => [e.target, e.code])).toEqual([
      [`mesos-agent ${bad.url}/`, 'RS_ERR_PARSE_JSON'],
      [`mesos-agent ${bad.url}/`, 'RS_ERR_PARSE_JSON'],
    ]);
  });

  it('an executor restarted under the same id (counters back to zero) gives no rate; a new container id starts afresh', async () => {
    const a = await agent();
    let body: Stats = [{ executor_id: 'e', framework_id: 'f', statistics: { timestamp: 100, cpus_user_time_secs: 50, cpus_system_time_secs: 10 } }];
    a.routes.set('/state', json({ id: 'S1', frameworks: [] }));
    a.routes.set('/monitor/statistics', json(() => body));
    const c = new MesosAgentCollector({ agents: [a.url], timeoutMs: 2000, maxResponseBytes: 1_000_000 });
    await c.collect(new AbortController().signal);
    body = [{ executor_id: 'e', framework_id: 'f', statistics: { timestamp: 110, cpus_user_time_secs: 1, cpus_system_time_secs: 0 } }];
    const r = await c.collect(new AbortController().signal);
    expect(r.skipped).toEqual({ counter_reset: 1 });
    expect(containers(r.samples)[0]!.cpu).toBeUndefined();
    body = [{ executor_id: 'e', framework_id: 'f', statistics: { timestamp: 120, cpus_user_time_secs: 3, cpus_system_time_secs: 1 } }];
    const r3 = await c.collect(new AbortController().signal);
    expect(containers(r3.samples)[0]!.cpu).toEqual({ cores: 0.3, interval_ms: 10000, core_seconds: 3 });

    a.routes.set('/state', json({ id: 'S1', frameworks: [{ id: 'f', executors: [{ id: 'e', container: 'new-container', tasks: [{ id: 'e' }] }] }] }));
    body = [{ executor_id: 'e', framework_id: 'f', statistics: { timestamp: 130, cpus_user_time_secs: 4, cpus_system_time_secs: 1 } }];
    const r4 = await c.collect(new AbortController().signal);
    // the previous reading had no container id: it is still the same run
    expect(containers(r4.samples)[0]!.cpu).toEqual({ cores: 0.1, interval_ms: 10000, core_seconds: 1 });
    a.routes.set('/state', json({ id: 'S1', frameworks: [{ id: 'f', executors: [{ id: 'e', container: 'other-container', tasks: [{ id: 'e' }] }] }] }));
    body = [{ executor_id: 'e', framework_id: 'f', statistics: { timestamp: 140, cpus_user_time_secs: 5, cpus_system_time_secs: 1 } }];
    const r5 = await c.collect(new AbortController().signal);
    expect(r5.skipped).toEqual({ first_reading: 1 });
    expect(containers(r5.samples)[0]!.container.id).toBe('other-container');
  });

  it('agent /state failing: documents still come, without the join, counted', async () => {
    const a = await agent();
    a.routes.set('/monitor/statistics', json([{ executor_id: 'e', framework_id: 'f', statistics: { mem_rss_bytes: 5 } }]));
    const c = new MesosAgentCollector({ agents: [a.url], timeoutMs: 2000, maxResponseBytes: 1_000_000 });
    const r = await c.collect(new AbortController().signal);
    expect(r.errors.map((e) => e.code)).toEqual(['RS_ERR_HTTP_STATUS']);
    expect(r.skipped).toEqual({ no_agent_state: 1, first_reading: 1 });
    expect(containers(r.samples)[0]!.container.id).toBe('e');
  });

  it('discovers agents when none are configured; no agents at all is a counted skip', async () => {
    const a = await agent();
    a.routes.set('/state', json({ id: 'S9', frameworks: [] }));
    a.routes.set('/monitor/statistics', json([]));
    let discovered: string[] = [];
    const c = new MesosAgentCollector({ discover: () => discovered, timeoutMs: 2000, maxResponseBytes: 1_000_000 });
    expect(await c.collect(new AbortController().signal)).toEqual({ samples: [], errors: [], skipped: { no_agents: 1 } });
    discovered = [a.url];
    const r = await c.collect(new AbortController().signal);
    expect(r.errors).toEqual([]);
    expect(c.agentStates().get(a.url)!.id).toBe('S9');
  });

  it('every agent failing fails the round', async () => {
    const a = await agent();
    const c = new MesosAgentCollector({ agents: [a.url], timeoutMs: 2000, maxResponseBytes: 1_000_000 });
    await expect(c.collect(new AbortController().signal)).rejects.toBeInstanceOf(UpstreamError);
  });
});
