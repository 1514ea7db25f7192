import { describe, expect, it } from 'vitest';
import { MesosMasterCollector } from '../../../../src/collectors/mesos/index.js';
import { UpstreamError } from '../../../../src/errors/index.js';
import { json, redirect, text, type FakeServer } from '../http/fakeServer.js';
import { fakeMesosServers, makeMasterCollector as make, pidOf } from './fixtures.js';

const master = fakeMesosServers();

const MB = 1024 * 1024;
function stateOf(self: FakeServer, leader: FakeServer | undefined, electedTime = 1000) {
  return {
    version: '1.2.0',
    pid: pidOf(self),
    ...(leader ? { leader: pidOf(leader) } : {}),
    elected_time: electedTime,
    cluster: 'ci',
    slaves: [
      {
        id: 'S1',
        pid: 'slave(1)@10.0.0.1:5051',
        hostname: 'agent-1',
        active: true,
        resources: { cpus: 4, mem: 2048, disk: 100 },
        used_resources: { cpus: 2.5, mem: 1024, disk: 0 },
      },
    ],
    frameworks: [{ id: 'F1', name: 'Jenkins Scheduler', tasks: [{ id: 'mesos-jenkins-abc-docker', slave_id: 'S1', state: 'TASK_RUNNING', resources: { cpus: 2, mem: 2252.8 } }] }],
  };
}

function snapshot(elected: 0 | 1, tasksFinished: number) {
  return { 'master/elected': elected, 'master/uptime_secs': 10, 'master/cpus_total': 4, 'master/cpus_used': 2.5, 'master/mem_total': 2048, 'master/tasks_finished': tasksFinished };
}

describe('MesosMasterCollector', () => {
  it('follows a non-leader’s 307 to the leader and writes cluster, agent and role documents from it only', async () => {
    const m1 = await master();
    const m2 = await master();
    m1.routes.set('/master/state', redirect(() => `//${new URL(m2.url).host}/master/state`));
    m1.routes.set('/metrics/snapshot', json(snapshot(0, 5)));
    m2.routes.set('/master/state', json(() => stateOf(m2, m2)));
    m2.routes.set('/metrics/snapshot', json(snapshot(1, 7)));
    m2.routes.set('/master/roles', json({ roles: [{ name: '*', weight: 1, resources: { cpus: 2.5, mem: 1024 } }] }));
    const c = make([m1, m2]);
    const r = await c.collect(new AbortController().signal);
    expect(r.errors).toEqual([]);
    expect(r.samples.map((s) => s.kind)).toEqual(['cluster', 'agent', 'role']);
    const cluster = r.samples[0]!;
    if (cluster.kind !== 'cluster') throw new Error('kind');
    expect(cluster.doc.mesos.master).toEqual({ url: `${m2.url}/`, elected: true, uptime_secs: 10 });
    expect(cluster.doc.mesos.mem!.total_bytes).toBe(2048 * MB);
    expect(cluster.doc.mesos.cluster).toBe('ci');
    expect(cluster.doc.mesos.tasks).toEqual({ finished: 7 });
    expect(c.latestLeaderUrl()).toBe(`${m2.url}/`);
    expect(c.latestState()!.tasks.get('mesos-jenkins-abc-docker')!.request).toEqual({ cpus: 2, memBytes: Math.round(2252.8 * MB) });
    // m1's snapshot was never read: documents come from the leader only
    expect(m1.requests).toEqual(['/master/state']);
    await c.shutdown();
  });

  it('survives a failover between polls: the old leader is down, the new one is found; counters restart without negatives', async () => {
    const m1 = await master();
    const m2 = await master();
    m1.routes.set('/master/state', json(() => stateOf(m1, m1, 1000)));
    m1.routes.set('/metrics/snapshot', json(snapshot(1, 500)));
    m2.routes.set('/master/state', redirect(() => `${m1.url}/master/state`));
    const c = make([m1, m2]);
    const first = await c.collect(new AbortController().signal);
    expect(first.samples[0]!.kind).toBe('cluster');
    expect(c.latestLeaderUrl()).toBe(`${m1.url}/`);

    // failover: m1 dies, m2 is elected with fresh counters
    await m1.close();
    m2.routes.set('/master/state', json(() => stateOf(m2, m2, 2000)));
    m2.routes.set('/metrics/snapshot', json(snapshot(1, 3)));
    const second = await c.collect(new AbortController().signal);
    expect(c.latestLeaderUrl()).toBe(`${m2.url}/`);
    expect(second.errors.map((e) => e.code)).toEqual(['RS_ERR_HTTP_CONNECT', 'RS_ERR_HTTP_STATUS']); // m1 is down; m2 serves neither /master/roles nor /roles (one error)
    expect(second.skipped).toEqual({ leader_changed: 1 });
    const doc = second.samples.find((s) => s.kind === 'cluster')!;
    if (doc.kind !== 'cluster') throw new Error('kind');
    expect(doc.doc.mesos.tasks!.finished).toBe(3);
    expect(JSON.stringify(second.samples)).not.toMatch(/:-\d/);
  });

  it('a failover in the middle of a poll (snapshot says no longer elected) → looks again and uses the new leader', async () => {
    const m1 = await master();
    const m2 = await master();
    m1.routes.set('/master/state', json(() => stateOf(m1, m1)));
    m1.routes.set('/metrics/snapshot', json(snapshot(0, 1)));
    m2.routes.set('/master/state', json(() => stateOf(m2, m2)));
    m2.routes.set('/metrics/snapshot', json(snapshot(1, 2)));
    m2.routes.set('/roles', json({ roles: [] }));
    const c = make([m1, m2]);
    // first search tries m1 (config order) and sees it claims leadership; the snapshot disagrees
    m1.routes.set('/master/state', json(() => stateOf(m1, m1)));
    const r = await c.collect(new AbortController().signal);
    expect(c.latestLeaderUrl()).toBe(`${m2.url}/`);
    expect(r.skipped!['leader_changed']).toBe(1);
    expect(r.samples.filter((s) => s.kind === 'cluster')).toHaveLength(1);
  });

  it('a state naming another leader without redirecting: that leader is tried next', async () => {
    const m1 = await master();
    const m2 = await master();
    m1.routes.set('/master/state', json(() => stateOf(m1, m2)));
    m2.routes.set('/master/state', json(() => stateOf(m2, m2)));
    m2.routes.set('/metrics/snapshot', json(snapshot(1, 2)));
    const c = new MesosMasterCollector({ masters: [m1.url], timeoutMs: 2000, maxResponseBytes: 1_000_000, roles: false });
    const r = await c.collect(new AbortController().signal);
    expect(c.latestLeaderUrl()).toBe(`${m2.url}/`);
    expect(r.skipped).toEqual({ not_leader: 1 });
    expect(r.errors).toEqual([]);
  });

  it('a state without leader/pid is decided by master/elected', async () => {
    const m1 = await master();
    const { leader: _l, pid: _p, ...noLeader } = stateOf(m1, m1);
    m1.routes.set('/master/state', json(noLeader));
    m1.routes.set('/metrics/snapshot', json(snapshot(1, 2)));
    const c = new MesosMasterCollector({ masters: [m1.url], timeoutMs: 2000, maxResponseBytes: 1_000_000, roles: false });
    const r = await c.collect(new AbortController().signal);
    expect(r.samples.map((s) => s.kind)).toEqual(['cluster', 'agent']);
  });

  it('every master answers 503 (no leader): the round fails with the problems listed, no documents', async () => {
    const m1 = await master();
    const m2 = await master();
    for (const m of [m1, m2]) m.routes.set('/master/state', text('No leader elected', 503, 'text/plain'));
    const c = make([m1, m2]);
    const err = await c.collect(new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpstreamError);
    const e = err as UpstreamError;
    expect(e.meta.status).toBe(503);
    expect((e.meta['errors'] as Array<{ code: string }>).map((x) => x.code)).toEqual(['RS_ERR_HTTP_STATUS', 'RS_ERR_HTTP_STATUS']);
    expect(c.latestState()).toBeUndefined();
  });

  it('a redirect loop between two fake masters fails the round with RS_ERR_HTTP_REDIRECT_LOOP, not a hang', async () => {
    const m1 = await master();
    const m2 = await master();
    m1.routes.set('/master/state', redirect(() => `${m2.url}/master/state`));
    m2.routes.set('/master/state', redirect(() => `${m1.url}/master/state`));
    const err = (await make([m1, m2]).collect(new AbortController().signal).catch((e: unknown) => e)) as UpstreamError;
    expect((err.meta['errors'] as Array<{ code: string }>).map((x) => x.code)).toEqual(['RS_ERR_HTTP_REDIRECT_LOOP', 'RS_ERR_HTTP_REDIRECT_LOOP']);
  });

  it('a garbled snapshot from the leader is an error; agent documents from its state still come', async () => {
    const m1 = await master();
    m1.routes.set('/master/state', json(() => stateOf(m1, m1)));
    m1.routes.set('/metrics/snapshot', text('{"master/elected": 1, "master/cpus_tot'));
    const c = new MesosMasterCollector({ masters: [m1.url], timeoutMs: 2000, maxResponseBytes: 1_000_000, roles: false });
    const r = await c.collect(new AbortController().signal);
    expect(r.errors.map((e) => e.code)).toEqual(['RS_ERR_PARSE_JSON']);
    expect(r.samples.map((s) => s.kind)).toEqual(['agent']);
  });
});
