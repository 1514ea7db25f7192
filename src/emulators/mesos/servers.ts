import type { IncomingMessage } from 'node:http';
import type { EmulatedCluster } from '../cluster/EmulatedCluster.js';
import { json, type Handler, type Reply } from '../http.js';
import {
  renderAgentContainers,
  renderAgentSnapshot,
  renderAgentState,
  renderAgentStatistics,
  renderMasterSnapshot,
  renderMasterState,
  renderRoles,
  renderStateSummary,
  type Endpoints,
  type SystemInfo,
} from './render.js';

/** Emulator-only admin path that triggers a leader failover (never part of the Mesos API). */
export const FAILOVER_PATH = '/__emulator/failover';
/**
 * Emulator-only admin path that kills a server, as a crash would (connections refused from then
 * on): `?master=N` (a leader fails over to a live master first) or `?agent=N`. Never part of the Mesos API.
 */
export const KILL_PATH = '/__emulator/kill';

/** What the kill path asks of the emulator: undefined when done, else why not (answered 400). */
export type KillServer = (target: { readonly master?: number; readonly agent?: number }) => string | undefined;

/** Paths only the leader serves; non-leaders answer 307 to the leader (Master::Http::redirect). */
const LEADER_ONLY = new Set([
  '/master/state',
  '/master/state.json',
  '/state',
  '/state.json',
  '/master/roles',
  '/master/roles.json',
  '/roles',
  '/roles.json',
  '/master/slaves',
  '/slaves',
  '/master/frameworks',
  '/frameworks',
  '/master/state-summary',
  '/state-summary',
]);

/**
 * The handler of master `index`. Redirects go to `//host:port<path>` (scheme-relative, no
 * query), and `/master/redirect` goes to `//host:port` of the leader, as Mesos does.
 */
export function masterHandler(cluster: EmulatedCluster, ep: Endpoints, index: number, system: () => SystemInfo, onFailover: (leader: number) => void, kill?: KillServer): Handler {
  return (req: IncomingMessage, url: URL): Reply => {
    const e = cluster.engine;
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const leader = ep.masters[e.leader]!;
    const base = `//${leader.host}:${leader.port}`;
    if (path === FAILOVER_PATH) {
      if (req.method !== 'POST' && req.method !== 'GET') return json({ error: 'method not allowed' }, 405);
      const to = url.searchParams.get('to');
      let next: number;
      try {
        next = e.failover(to === null ? undefined : Number(to));
      } catch (err) {
        if (err instanceof RangeError) return json({ error: err.message }, 400);
        throw err;
      }
      onFailover(next);
      const l = ep.masters[next]!;
      return json({ leader: `http://${l.host}:${l.port}`, index: next });
    }
    if (path === KILL_PATH && kill !== undefined) {
      if (req.method !== 'POST') return json({ error: 'method not allowed' }, 405);
      const target = (name: string): number | undefined => (url.searchParams.has(name) ? Number(url.searchParams.get(name)) : undefined);
      const master = target('master');
      const agent = target('agent');
      const problem = kill({ ...(master === undefined ? {} : { master }), ...(agent === undefined ? {} : { agent }) });
      if (problem !== undefined) return json({ error: problem }, 400);
      const l = ep.masters[e.leader]!;
      return json({ killed: { ...(master === undefined ? {} : { master }), ...(agent === undefined ? {} : { agent }) }, leader: `http://${l.host}:${l.port}` });
    }
    if (path === '/health') return { status: 200 };
    if (path === '/metrics/snapshot') return json(renderMasterSnapshot(cluster, index, system()));
    if (path === '/master/redirect' || path === '/redirect') return { status: 307, headers: { location: base } };
    if (LEADER_ONLY.has(path) && e.leader !== index) return { status: 307, headers: { location: base + path } };
    if (path === '/master/state' || path === '/master/state.json' || path === '/state' || path === '/state.json') return json(renderMasterState(cluster, ep, index));
    if (path.endsWith('state-summary')) return json(renderStateSummary(cluster, ep, index));
    if (path.endsWith('roles') || path.endsWith('roles.json')) return json(renderRoles(cluster));
    if (path.endsWith('slaves')) return json({ slaves: (renderMasterState(cluster, ep, index)['slaves'] as unknown[]) ?? [] });
    if (path.endsWith('frameworks')) {
      const s = renderMasterState(cluster, ep, index);
      return json({ frameworks: s['frameworks'], completed_frameworks: [], unregistered_frameworks: [] });
    }
    return { status: 404, body: '' };
  };
}

/** The handler of agent `index`. */
export function agentHandler(cluster: EmulatedCluster, ep: Endpoints, index: number, system: () => SystemInfo): Handler {
  return (_req: IncomingMessage, url: URL): Reply => {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    switch (path) {
      case '/monitor/statistics':
      case '/monitor/statistics.json':
      case '/slave(1)/monitor/statistics':
      case '/slave(1)/monitor/statistics.json':
        return json(renderAgentStatistics(cluster, index));
      case '/containers':
      case '/slave(1)/containers':
        return json(renderAgentContainers(cluster, index));
      case '/state':
      case '/state.json':
      case '/slave(1)/state':
      case '/slave(1)/state.json':
        return json(renderAgentState(cluster, ep, index));
      case '/metrics/snapshot':
        return json(renderAgentSnapshot(cluster, index, system()));
      case '/health':
        return { status: 200 };
      default:
        return { status: 404, body: '' };
    }
  };
}
