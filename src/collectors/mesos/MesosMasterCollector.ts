import type { CollectError, CollectionResult, RoleDoc, Sample } from '../../model/index.js';
import { UpstreamError, redactUrl, stripCredentials } from '../../errors/index.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { HttpJsonClient } from '../http/HttpJsonClient.js';
import type { TlsOptions } from '../tls.js';
import { collectErrorFrom, getFirstFound, joinUrl, mergeCounts } from '../http/util.js';
import type { Collector } from '../types.js';
import { agentDocsFromState, baseUrlFromPid, parseMasterState, parseMetricsSnapshot, parseRoles } from './parseMaster.js';
import type { MasterStateInfo } from './types.js';

/** Options of {@link MesosMasterCollector}. */
export interface MesosMasterCollectorOptions {
  /** Master base URLs (`http://m1:5050`); the leader is looked for among them on every poll. */
  readonly masters: readonly string[];
  /** Cluster name written to documents; defaults to the state's own `cluster`. */
  readonly cluster?: string;
  /** Per-request deadline, ms. */
  readonly timeoutMs: number;
  /** Responses larger than this fail with `RS_ERR_HTTP_TOO_LARGE` (`collect.maxResponseBytes`). */
  readonly maxResponseBytes: number;
  readonly tls?: TlsOptions;
  readonly clock?: Clock;
  /** Injected client (tests); otherwise one is built from the options above. */
  readonly client?: HttpJsonClient;
  /** Also read `/master/roles` for `mesos.role` documents. @defaultValue true */
  readonly roles?: boolean;
}

/** Current paths first; the `.json` forms are what Mesos before ~0.25 serves. */
const STATE_PATHS = ['/master/state', '/master/state.json'];
const SNAPSHOT_PATHS = ['/metrics/snapshot', '/master/stats.json'];
const ROLES_PATHS = ['/master/roles', '/roles', '/master/roles.json'];

interface Leader {
  readonly base: string;
  readonly state: MasterStateInfo;
}

/**
 * Collects cluster, agent and role documents from the leading Mesos master.
 *
 * Each poll finds the leader again: it asks `/master/state` of the last known leader first,
 * then the other masters. A non-leader answers 307 to the leader (followed by the client; the
 * final URL names the leader), or — in versions that do not redirect — its state names the
 * `leader` pid, which is tried next. A master is taken as leader when its state says
 * `leader == pid`, or (states without those fields) when its `/metrics/snapshot` says
 * `master/elected` 1. Documents are written only from the leader; if the snapshot then says
 * the master is no longer elected (a failover in the middle of the poll), the search starts
 * over, at most once per configured master.
 *
 * Mesos counters (`tasks_finished`, …) restart from zero on the new leader. This collector
 * writes them as they are (never differences), so a failover can never produce a negative
 * rate here; readers that derive rates must treat a drop of `mesos.master.uptime_secs` as a
 * reset. A leader change is counted in `skipped.leader_changed`.
 */
export class MesosMasterCollector implements Collector {
  readonly target: string;
  private readonly _opts: MesosMasterCollectorOptions;
  private readonly _client: HttpJsonClient;
  private readonly _ownsClient: boolean;
  private readonly _clock: Clock;
  private _lastLeader: string | undefined;
  private _lastLeaderId: string | undefined;
  private _latestState: MasterStateInfo | undefined;
  private _latestLeaderUrl: string | undefined;
  /** Which legacy path (`/master/state.json`, …) each master answered on. */
  private readonly _paths = new Map<string, string>();

  constructor(options: MesosMasterCollectorOptions) {
    if (options.masters.length === 0) throw new UpstreamError('RS_ERR_CONFIG_INVALID', 'MesosMasterCollector needs at least one master URL');
    this._opts = options;
    this._clock = options.clock ?? systemClock;
    this._ownsClient = options.client === undefined;
    this._client =
      options.client ??
      new HttpJsonClient({ timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes, ...(options.tls ? { tls: options.tls } : {}) });
    this.target = `mesos-master ${options.masters.map((m) => redactUrl(m)).join(',')}`;
  }

  /** The leader's state from the last successful poll (agents for discovery, tasks for the join). */
  latestState(): MasterStateInfo | undefined {
    return this._latestState;
  }

  /** The leader's base URL (redacted) from the last successful poll. */
  latestLeaderUrl(): string | undefined {
    return this._latestLeaderUrl;
  }

  async collect(signal: AbortSignal): Promise<CollectionResult> {
    const errors: CollectError[] = [];
    const skipped: Record<string, number> = {};
    const attempts = this._opts.masters.length + 1;
    // Masters whose snapshot denied leadership this poll are tried last on the next search.
    const demoted = new Set<string>();
    for (let attempt = 0; attempt < attempts && !signal.aborted; attempt++) {
      const leader = await this._findLeader(signal, errors, skipped, demoted);
      if (leader === undefined) break;
      const nowMs = this._clock.nowMs();
      // mesos.master.url is part of the cluster `_id`: no credentials in it, however supplied.
      const leaderUrl = stripCredentials(leader.base);
      let snapshotDoc: Sample | undefined;
      try {
        const snap = await getFirstFound(this._client, leader.base, SNAPSHOT_PATHS, signal, this._paths);
        const parsed = parseMetricsSnapshot(snap.body, { target: this.target, nowMs, masterUrl: leaderUrl, ...this._clusterOpt(leader.state) });
        errors.push(...parsed.errors);
        if (parsed.value.elected === false) {
          // Leadership moved between /master/state and /metrics/snapshot: look again.
          mergeCounts(skipped, { leader_changed: 1 });
          this._lastLeader = undefined;
          demoted.add(leader.base);
          continue;
        }
        if (parsed.value.doc) {
          snapshotDoc = { kind: 'cluster', doc: { ...parsed.value.doc, mesos: { ...parsed.value.doc.mesos, master: { ...parsed.value.doc.mesos.master, elected: true } } } };
        }
      } catch (err) {
        errors.push(collectErrorFrom(this.target, err, joinUrl(leader.base, '/metrics/snapshot')));
      }
      const samples: Sample[] = [];
      if (snapshotDoc) samples.push(snapshotDoc);
      const cluster = this._opts.cluster ?? leader.state.cluster;
      for (const doc of agentDocsFromState(leader.state, nowMs, cluster)) samples.push({ kind: 'agent', doc });
      if (this._opts.roles !== false) {
        const roles = await this._roles(leader.base, nowMs, cluster, signal);
        errors.push(...roles.errors);
        for (const doc of roles.docs) samples.push({ kind: 'role', doc });
      }
      const leaderId = `${leader.state.pid ?? leader.base}@${leader.state.electedTimeSecs ?? ''}`;
      if (this._lastLeaderId !== undefined && this._lastLeaderId !== leaderId) mergeCounts(skipped, { leader_changed: 1 });
      this._lastLeaderId = leaderId;
      this._lastLeader = leader.base;
      this._latestState = leader.state;
      this._latestLeaderUrl = leaderUrl;
      return { samples, errors, skipped };
    }
    if (signal.aborted) {
      throw new UpstreamError('RS_ERR_COLLECT_TIMEOUT', 'Mesos master poll cancelled before a leader answered', { meta: { target: this.target, errors } });
    }
    const detail = errors.map((e) => `${e.subject ?? e.target}: ${e.code}`).join('; ');
    throw new UpstreamError('RS_ERR_HTTP_STATUS', `no leading Mesos master found among ${this._opts.masters.length} (${detail || 'no answer'})`, {
      meta: { target: this.target, status: 503, errors },
    });
  }

  shutdown(): Promise<void> {
    return this._ownsClient ? this._client.shutdown() : Promise.resolve();
  }

  private _clusterOpt(state: MasterStateInfo): { cluster?: string } {
    const cluster = this._opts.cluster ?? state.cluster;
    return cluster !== undefined ? { cluster } : {};
  }

  private async _findLeader(
    signal: AbortSignal,
    errors: CollectError[],
    skipped: Record<string, number>,
    demoted: ReadonlySet<string>,
  ): Promise<Leader | undefined> {
    let queue = [...this._opts.masters];
    if (this._lastLeader !== undefined) {
      const i = queue.indexOf(this._lastLeader);
      if (i > 0) queue.unshift(...queue.splice(i, 1));
      else if (i < 0) queue.unshift(this._lastLeader);
    }
    const isDemoted = (m: string): boolean => demoted.has(m.replace(/\/+$/, ''));
    queue = [...queue.filter((m) => !isDemoted(m)), ...queue.filter(isDemoted)];
    const tried = new Set<string>();
    while (queue.length > 0 && !signal.aborted) {
      const master = queue.shift()!;
      const key = master.replace(/\/+$/, '');
      if (tried.has(key)) continue;
      tried.add(key);
      let finalUrl: string;
      let body: unknown;
      try {
        const res = await getFirstFound(this._client, master, STATE_PATHS, signal, this._paths);
        finalUrl = res.url;
        body = res.body;
      } catch (err) {
        errors.push(collectErrorFrom(this.target, err, joinUrl(master, '/master/state')));
        continue;
      }
      const base = finalUrl.replace(/\/master\/state(\.json)?\/?(\?.*)?$/, '');
      if (base !== key) tried.add(base);
      const parsed = parseMasterState(body, { target: this.target, nowMs: this._clock.nowMs() });
      errors.push(...parsed.errors);
      const state = parsed.value;
      if (state.isLeader === true) return { base, state };
      if (state.isLeader === false) {
        mergeCounts(skipped, { not_leader: 1 });
        const scheme = base.startsWith('https:') ? 'https' : 'http';
        const named = state.leader !== undefined ? baseUrlFromPid(state.leader, scheme) : undefined;
        if (named !== undefined && !tried.has(named)) queue.unshift(named);
        continue;
      }
      if (state.agents.length === 0 && state.frameworks.length === 0 && parsed.errors.length > 0) continue;
      // The state does not say (no leader/pid fields): ask the snapshot.
      try {
        const snap = await getFirstFound(this._client, base, SNAPSHOT_PATHS, signal, this._paths);
        const elected = parseMetricsSnapshot(snap.body, { target: this.target, nowMs: this._clock.nowMs(), masterUrl: stripCredentials(base) }).value.elected;
        if (elected === true) return { base, state };
        mergeCounts(skipped, { not_leader: 1 });
      } catch (err) {
        errors.push(collectErrorFrom(this.target, err, joinUrl(base, '/metrics/snapshot')));
      }
    }
    return undefined;
  }

  private async _roles(base: string, nowMs: number, cluster: string | undefined, signal: AbortSignal): Promise<{ docs: RoleDoc[]; errors: CollectError[] }> {
    try {
      const res = await getFirstFound(this._client, base, ROLES_PATHS, signal, this._paths);
      const parsed = parseRoles(res.body, { target: this.target, nowMs, ...(cluster !== undefined ? { cluster } : {}) });
      return { docs: parsed.value, errors: [...parsed.errors] };
    } catch (err) {
      return { docs: [], errors: [collectErrorFrom(this.target, err, joinUrl(base, '/master/roles'))] };
    }
  }
}
