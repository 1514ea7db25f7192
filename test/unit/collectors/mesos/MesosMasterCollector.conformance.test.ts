import { describe, expect, it } from 'vitest';
import { json } from '../http/fakeServer.js';
import { capture } from '../http/captures.js';
import { fakeMesosServers, makeMasterCollector as make, pidOf } from './fixtures.js';

const master = fakeMesosServers();

describe('MesosMasterCollector against an old (0.19/0.22-style) master', () => {
  it('falls back to /master/state.json and /master/stats.json and remembers the paths', async () => {
    const m = await master();
    const state = capture('mesos-master/state_mesos-cli_0.19.json') as Record<string, unknown>;
    // the capture's own pid is not this server; make it lead itself
    m.routes.set('/master/state.json', json({ ...state, pid: pidOf(m), leader: pidOf(m) }));
    m.routes.set('/master/stats.json', json(capture('mesos-master/stats_json_legacy_ddagent_0.22.json')));
    m.routes.set('/master/roles.json', json(capture('mesos-master/roles_ddagent_0.22.json')));
    const c = make([m]);
    const r = await c.collect(new AbortController().signal);
    expect(r.errors).toEqual([]);
    expect(r.samples.map((s) => s.kind)).toEqual(['cluster', 'agent', 'agent', 'role']);
    const before = m.requests.length;
    await c.collect(new AbortController().signal);
    expect(m.requests.slice(before)).toEqual(['/master/state.json', '/master/stats.json', '/master/roles.json']);
  });
});
