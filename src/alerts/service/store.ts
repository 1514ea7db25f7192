import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { RightsizeError } from '../../errors/index.js';
import { ALERT_SEVERITIES, type AlertSeverity } from '../../model/index.js';
import type { AlertNotice } from '../../model/ports.js';
import { alertStateId, indexName, statusOf, wrapEsError } from '../../store/index.js';
import { isRecord, oneOf } from '../../util/json.js';
import type { Silence } from '../evaluate.js';
import type { AlertState, NotifiedState } from '../transitions.js';

/** A notification not yet delivered to every receiver; persisted with its alert so a restart re-sends it. */
export interface OutboxEntry {
  readonly id: string;
  readonly createdMs: number;
  /** Receivers still to deliver to. */
  readonly receivers: readonly string[];
  readonly notice: AlertNotice;
}

/** What `<prefix>-alerts` holds for one alert. */
export interface StoredAlert {
  readonly ruleName: string;
  /** The rule's severity when the state was written (`rule.severity`); absent in documents written before it was stored. */
  readonly severity?: AlertSeverity;
  readonly state: AlertState;
  readonly outbox: readonly OutboxEntry[];
  readonly threshold?: number;
}

/** An alert-events document (docs/data-model.md). */
export interface AlertEventInput {
  readonly atMs: number;
  readonly ruleId: string;
  readonly ruleName?: string;
  readonly group: string;
  readonly action: 'fired' | 'repeated' | 'resolved' | 'silenced' | 'notify_failed' | 'dropped';
  readonly notifier?: string;
  readonly message?: string;
  readonly value?: number;
  readonly threshold?: number;
  readonly noticeId?: string;
}

const LEASE_ID = 'lease:alerts-evaluator';

/** The state document of an alert (pure). */
export function alertDocument(a: StoredAlert): Record<string, unknown> {
  const s = a.state;
  const status = s.status;
  return {
    '@timestamp': new Date(s.updatedMs).toISOString(),
    rule: { id: s.ruleId, name: a.ruleName, ...(a.severity === undefined ? {} : { severity: a.severity }) },
    alert: {
      group: s.group,
      status,
      ...(s.sinceMs === undefined ? {} : { since: s.sinceMs }),
      ...(s.lastNotifiedMs === undefined ? {} : { last_notified: s.lastNotifiedMs }),
      ...(s.value === undefined ? {} : { value: s.value }),
      ...(a.threshold === undefined ? {} : { threshold: a.threshold }),
      notifications: s.notifications,
      ...(s.pendingSinceMs === undefined ? {} : { pending_since: s.pendingSinceMs }),
      ...(s.resolvedAtMs === undefined ? {} : { resolved_at: s.resolvedAtMs }),
      ...(s.notified === undefined ? {} : { notified: s.notified }),
      repeats: s.repeats,
      changes: [...s.changesMs],
      held: s.held,
      withheld: s.withheld,
    },
    outbox: a.outbox.map((e) => ({ id: e.id, created_ms: e.createdMs, receivers: [...e.receivers], notice: e.notice })),
  };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Reads a state document back (pure); undefined for a document that is not one. */
export function parseAlertDocument(doc: unknown): StoredAlert | undefined {
  if (!isRecord(doc) || !isRecord(doc['rule']) || !isRecord(doc['alert'])) return undefined;
  const r = doc['rule'];
  const a = doc['alert'];
  const ruleId = r['id'];
  const group = a['group'];
  const status = a['status'];
  if (typeof ruleId !== 'string' || typeof group !== 'string' || (status !== 'pending' && status !== 'firing' && status !== 'resolved')) return undefined;
  const opt = <K extends string>(key: K, v: number | undefined): Partial<Record<K, number>> => (v === undefined ? {} : ({ [key]: v } as Record<K, number>));
  const n = a['notified'];
  const notified: { notified?: NotifiedState } = n === 'firing' || n === 'resolved' ? { notified: n } : {};
  const state: AlertState = {
    ruleId,
    group,
    status,
    ...opt('pendingSinceMs', num(a['pending_since'])),
    ...opt('sinceMs', num(a['since'])),
    ...opt('resolvedAtMs', num(a['resolved_at'])),
    ...opt('value', num(a['value'])),
    ...notified,
    ...opt('lastNotifiedMs', num(a['last_notified'])),
    notifications: num(a['notifications']) ?? 0,
    repeats: num(a['repeats']) ?? 0,
    changesMs: Array.isArray(a['changes']) ? a['changes'].filter((x): x is number => typeof x === 'number') : [],
    held: a['held'] === true,
    withheld: a['withheld'] === true,
    updatedMs: Date.parse(String(doc['@timestamp'])) || 0,
  };
  const outbox: OutboxEntry[] = [];
  for (const e of Array.isArray(doc['outbox']) ? doc['outbox'] : []) {
    if (!isRecord(e) || typeof e['id'] !== 'string' || !isRecord(e['notice']) || !Array.isArray(e['receivers'])) continue;
    outbox.push({
      id: e['id'],
      createdMs: num(e['created_ms']) ?? 0,
      receivers: e['receivers'].filter((x): x is string => typeof x === 'string'),
      notice: e['notice'] as unknown as AlertNotice,
    });
  }
  const threshold = num(a['threshold']);
  const sev = oneOf(ALERT_SEVERITIES, r['severity']);
  return {
    ruleName: typeof r['name'] === 'string' ? r['name'] : ruleId,
    ...(sev === undefined ? {} : { severity: sev }),
    state,
    outbox,
    ...(threshold === undefined ? {} : { threshold }),
  };
}

/** The alert-events document of an event (pure). */
export function eventDocument(e: AlertEventInput): Record<string, unknown> {
  return {
    '@timestamp': new Date(e.atMs).toISOString(),
    rule: { id: e.ruleId, ...(e.ruleName === undefined ? {} : { name: e.ruleName }) },
    alert: {
      group: e.group,
      ...(e.value === undefined ? {} : { value: e.value }),
      ...(e.threshold === undefined ? {} : { threshold: e.threshold }),
      ...(e.noticeId === undefined ? {} : { notice_id: e.noticeId }),
    },
    event: { action: e.action },
    ...(e.notifier === undefined ? {} : { notifier: e.notifier }),
    ...(e.message === undefined ? {} : { message: e.message }),
  };
}

function bulkFailures(res: { errors?: boolean; items?: unknown[] }): string[] {
  if (!res.errors) return [];
  const out: string[] = [];
  for (const item of res.items ?? []) {
    if (!isRecord(item)) continue;
    const op = Object.values(item)[0];
    if (isRecord(op) && op['error'] !== undefined && op['status'] !== 409) out.push(JSON.stringify(op['error']).slice(0, 300));
  }
  return out;
}

/**
 * Alert state, history, silences and the evaluator lease in Elasticsearch
 * (`<prefix>-alerts`, `<prefix>-alert-events-YYYY.MM`, `<prefix>-silences`).
 */
export class AlertStore {
  constructor(
    private readonly _client: Client,
    private readonly _prefix: string,
  ) {}

  get prefix(): string {
    return this._prefix;
  }

  /** Every stored alert (state and undelivered notifications). */
  async loadAlerts(signal?: AbortSignal): Promise<StoredAlert[]> {
    const out: StoredAlert[] = [];
    try {
      // States written by a process that just died may not be searchable yet (refresh 1 s).
      await this._client.indices.refresh({ index: `${this._prefix}-alerts`, ignore_unavailable: true, allow_no_indices: true }, signal ? { signal } : {});
      let searchAfter: unknown[] | undefined;
      for (;;) {
        const res = await this._client.search(
          {
            index: `${this._prefix}-alerts`,
            ignore_unavailable: true,
            allow_no_indices: true,
            size: 1000,
            sort: [{ 'rule.id': 'asc' }, { 'alert.group': 'asc' }],
            query: { exists: { field: 'rule.id' } },
            ...(searchAfter === undefined ? {} : { search_after: searchAfter }),
          } as never,
          signal ? { signal } : {},
        );
        const hits = (res as { hits: { hits: Array<{ _source?: unknown; sort?: unknown[] }> } }).hits.hits;
        for (const h of hits) {
          const a = parseAlertDocument(h._source);
          if (a) out.push(a);
        }
        if (hits.length < 1000) break;
        searchAfter = hits[hits.length - 1]?.sort;
      }
    } catch (err) {
      if (statusOf(err) === 404) return out;
      throw wrapEsError(err, 'loading the alert states');
    }
    return out;
  }

  /** Writes alert states (index by `alertStateId`); a failed item throws. */
  async saveAlerts(alerts: readonly StoredAlert[], signal?: AbortSignal): Promise<void> {
    if (alerts.length === 0) return;
    const operations: unknown[] = [];
    for (const a of alerts) operations.push({ index: { _index: `${this._prefix}-alerts`, _id: alertStateId(a.state.ruleId, a.state.group) } }, alertDocument(a));
    let res: { errors?: boolean; items?: unknown[] };
    try {
      res = (await this._client.bulk({ operations } as never, signal ? { signal } : {}));
    } catch (err) {
      throw wrapEsError(err, 'writing the alert states');
    }
    const failures = bulkFailures(res);
    if (failures.length > 0) throw new RightsizeError('RS_ERR_STORE_REJECTED', `writing the alert states: ${failures.length} failed: ${failures[0]}`);
  }

  /** Appends alert-events documents. */
  async writeEvents(events: readonly AlertEventInput[], signal?: AbortSignal): Promise<void> {
    if (events.length === 0) return;
    const operations: unknown[] = [];
    for (const e of events) operations.push({ create: { _index: indexName(this._prefix, 'alert-events', e.atMs), _id: randomUUID() } }, eventDocument(e));
    let res: { errors?: boolean; items?: unknown[] };
    try {
      res = (await this._client.bulk({ operations } as never, signal ? { signal } : {}));
    } catch (err) {
      throw wrapEsError(err, 'writing alert events');
    }
    const failures = bulkFailures(res);
    if (failures.length > 0) throw new RightsizeError('RS_ERR_STORE_REJECTED', `writing alert events: ${failures.length} failed: ${failures[0]}`);
  }

  /** Adds a silence; returns its id. */
  async addSilence(s: Omit<Silence, 'id'>, nowMs: number): Promise<string> {
    try {
      const res = await this._client.index({
        index: `${this._prefix}-silences`,
        refresh: 'wait_for',
        document: {
          '@timestamp': new Date(nowMs).toISOString(),
          rule: { id: s.ruleId },
          ...(s.group === undefined ? {} : { alert: { group: s.group } }),
          until: s.untilMs,
          ...(s.createdBy === undefined ? {} : { created_by: s.createdBy }),
          ...(s.comment === undefined ? {} : { comment: s.comment }),
        },
      });
      return res._id;
    } catch (err) {
      throw wrapEsError(err, 'adding a silence');
    }
  }

  /** Silences whose `until` is after `sinceMs` (all when undefined), newest first. */
  async listSilences(sinceMs?: number, signal?: AbortSignal): Promise<Silence[]> {
    try {
      const res = await this._client.search(
        {
          index: `${this._prefix}-silences`,
          ignore_unavailable: true,
          allow_no_indices: true,
          size: 1000,
          sort: [{ until: 'desc' }],
          query: sinceMs === undefined ? { match_all: {} } : { range: { until: { gt: sinceMs, format: 'epoch_millis' } } },
        } as never,
        signal ? { signal } : {},
      );
      const out: Silence[] = [];
      for (const h of (res as { hits: { hits: Array<{ _id: string; _source?: unknown }> } }).hits.hits) {
        const d = h._source;
        if (!isRecord(d) || !isRecord(d['rule']) || typeof d['rule']['id'] !== 'string' || num(d['until']) === undefined) continue;
        const group = isRecord(d['alert']) && typeof d['alert']['group'] === 'string' ? d['alert']['group'] : undefined;
        out.push({
          id: h._id,
          ruleId: d['rule']['id'],
          ...(group === undefined ? {} : { group }),
          untilMs: num(d['until']) as number,
          ...(typeof d['created_by'] === 'string' ? { createdBy: d['created_by'] } : {}),
          ...(typeof d['comment'] === 'string' ? { comment: d['comment'] } : {}),
        });
      }
      return out;
    } catch (err) {
      if (statusOf(err) === 404) return [];
      throw wrapEsError(err, 'reading the silences');
    }
  }

  /** Ends a silence now; false when there is no silence with that id. */
  async expireSilence(id: string, nowMs: number): Promise<boolean> {
    try {
      await this._client.update({ index: `${this._prefix}-silences`, id, refresh: 'wait_for', doc: { until: nowMs } });
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw wrapEsError(err, `expiring silence ${id}`);
    }
  }

  /**
   * Takes or renews the evaluator lease for `owner` until `nowMs + ttlMs` (compare-and-set with
   * if_seq_no/if_primary_term). True when `owner` holds it now; false when another replica holds
   * an unexpired lease or won the race.
   */
  async acquireLease(owner: string, nowMs: number, ttlMs: number, signal?: AbortSignal): Promise<boolean> {
    const index = `${this._prefix}-alerts`;
    const document = { lease: { owner, until: nowMs + ttlMs, renewed: nowMs } };
    const opts = signal ? { signal } : {};
    try {
      let current: { _seq_no?: number; _primary_term?: number; _source?: unknown } | undefined;
      try {
        current = (await this._client.get({ index, id: LEASE_ID }, opts));
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
      if (current === undefined) {
        await this._client.index({ index, id: LEASE_ID, op_type: 'create', document, refresh: false }, opts);
        return true;
      }
      const lease = isRecord(current._source) && isRecord(current._source['lease']) ? current._source['lease'] : {};
      const heldByOther = lease['owner'] !== owner && (num(lease['until']) ?? 0) > nowMs;
      if (heldByOther) return false;
      await this._client.index({ index, id: LEASE_ID, document, if_seq_no: current._seq_no as number, if_primary_term: current._primary_term as number, refresh: false }, opts);
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw wrapEsError(err, 'taking the alerts lease');
    }
  }

  /** Gives the lease up (so another replica takes over at once), if `owner` holds it. */
  async releaseLease(owner: string): Promise<void> {
    try {
      const current = (await this._client.get({ index: `${this._prefix}-alerts`, id: LEASE_ID })) as { _seq_no?: number; _primary_term?: number; _source?: unknown };
      const lease = isRecord(current._source) && isRecord(current._source['lease']) ? current._source['lease'] : {};
      if (lease['owner'] !== owner) return;
      await this._client.index({
        index: `${this._prefix}-alerts`,
        id: LEASE_ID,
        document: { lease: { owner, until: 0 } },
        if_seq_no: current._seq_no as number,
        if_primary_term: current._primary_term as number,
      });
    } catch {
      // Best effort: the lease expires by itself.
    }
  }
}
