import { afterEach, describe, expect, it } from 'vitest';
import { mesosCollectorsFromConfig } from '../../../../src/collectors/mesos/index.js';
import { validateConfig } from '../../../../src/config/index.js';
import { fakeServer, json, type FakeServer } from '../http/fakeServer.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('mesosCollectorsFromConfig', () => {
  it('discovers agents (and Docker endpoints) from the leader the master collector found', async () => {
    const m = await fakeServer();
    const a = await fakeServer();
    servers.push(m, a);
    const agentHost = new URL(a.url).host;
    m.routes.set(
      '/master/state',
      json(() => ({
        leader: `master@${new URL(m.url).host}`,
        pid: `master@${new URL(m.url).host}`,
        slaves: [
          { id: 'S1', pid: `slave(1)@${agentHost}`, hostname: '127.0.0.1', active: true, resources: { cpus: 2, mem: 2048 } },
          { id: 'S2', pid: 'slave(1)@10.9.9.9:5051', hostname: 'gone', active: false, resources: { cpus: 2 } },
        ],
        frameworks: [],
      })),
    );
    m.routes.set('/metrics/snapshot', json({ 'master/elected': 1 }));
    m.routes.set('/master/roles', json({ roles: [] }));
    a.routes.set('/state', json({ id: 'S1', hostname: '127.0.0.1', frameworks: [] }));
    a.routes.set('/monitor/statistics', json([{ executor_id: 'e', framework_id: 'f', statistics: { timestamp: 5, mem_rss_bytes: 1 } }]));
    const config = validateConfig({ mesos: { masters: [m.url], dockerHostTemplate: 'tcp://{hostname}:2375', timeoutMs: 2000 } });
    const c = mesosCollectorsFromConfig(config);
    expect(c.dockerEndpoints()).toEqual([]);
    expect(await c.agents!.collect(new AbortController().signal)).toEqual({ samples: [], errors: [], skipped: { no_agents: 1 } });
    await c.master!.collect(new AbortController().signal);
    const r = await c.agents!.collect(new AbortController().signal);
    expect(r.errors).toEqual([]);
    expect(r.samples).toHaveLength(1);
    expect(c.dockerEndpoints()).toEqual(['tcp://127.0.0.1:2375']);
    await c.master!.shutdown();
    await c.agents!.shutdown();
  });

  it('nothing configured: no collectors', () => {
    const c = mesosCollectorsFromConfig(validateConfig({}));
    expect(c.master).toBeUndefined();
    expect(c.agents).toBeUndefined();
    expect(c.dockerEndpoints()).toEqual([]);
  });
});
