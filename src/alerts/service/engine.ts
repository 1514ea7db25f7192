import { setMaxListeners } from 'node:events';
import type { OutboundMessage, ScheduledJob } from '../../model/ports.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { toError } from '../../errors/index.js';
import { conditionOf, type Observation, type PlannedNotice } from '../evaluate.js';
import { capacityFacts, explainCapacity, type CapacityInput } from '../explain.js';
import { groupByReceiver } from '../group.js';
import { evaluateRound, type AlertBook } from '../round.js';
import type { AlertRule } from '../rules.js';
import type { AlertState, FlappingPolicy } from '../transitions.js';
import type { AlertEventInput, AlertStore, OutboxEntry, StoredAlert } from './store.js';

/** Where grouped messages go (the notifiers' Outbox: retries with backoff, drops after a max age). */
export interface MessageQueue {
  enqueue(receiver: string, message: OutboundMessage): 'queued' | 'duplicate';
  receivers(): string[];
}

/** What the queue reports back about a message (a subset of the Outbox's events). */
export interface DeliveryEvent {
  readonly type: 'delivered' | 'failed' | 'dropped';
  readonly receiver: string;
  readonly message: OutboundMessage;
  readonly atMs: number;
  readonly error?: { readonly message: string };
}

export interface AlertEngineOptions {
  readonly store: AlertStore;
  readonly rules: readonly AlertRule[];
  /** A rule's observations at `nowMs` (Elasticsearch: `observeEs`). */
  readonly observe: (rule: AlertRule, nowMs: number, signal: AbortSignal) => Promise<Observation[]>;
  /** All rules of a round at once (Elasticsearch: `observeAllEs`, one `_msearch`); preferred over `observe` when given. */
  readonly observeAll?: (rules: readonly AlertRule[], nowMs: number, signal: AbortSignal) => Promise<Map<string, Observation[]>>;
  /** The facts behind an allocation explanation (Elasticsearch: `capacityEs`). */
  readonly capacity?: (resource: 'cpu' | 'memory', nowMs: number, signal: AbortSignal) => Promise<CapacityInput>;
  readonly flapping: FlappingPolicy;
  /** Undelivered notifications older than this are not re-sent after a restart. */
  readonly maxAgeMs: number;
  readonly leaseTtlMs: number;
  /** This replica's name in the lease. */
  readonly owner: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly uiUrl?: string;
}

export interface AlertEngineStats {
  rounds: number;
  skippedRounds: number;
  notices: number;
  delivered: number;
  failedAttempts: number;
  dropped: number;
  leader: boolean;
}

function key(ruleId: string, group: string): string {
  return JSON.stringify([ruleId, group]);
}

/**
 * The alert engine's shell: per round it holds the lease, reads silences, queries each rule,
 * evaluates (pure), persists the new states with the undelivered notifications BEFORE queueing
 * them (so a restart neither forgets nor repeats an alert) and marks them delivered as the
 * queue reports. One scheduled job per distinct rule schedule; the rules of one job form one
 * round (one grouped message per receiver).
 */
export class AlertEngine {
  private readonly _o: AlertEngineOptions;
  private _book: AlertBook = new Map();
  private _outbox = new Map<string, OutboxEntry[]>();
  private readonly _messages = new Map<string, Array<{ alert: string; noticeId: string }>>();
  private _loaded = false;
  private _leaseUntilMs = 0;
  private _leaseCall: Promise<boolean> | undefined;
  private _writes: Promise<void> = Promise.resolve();
  private readonly _ruleNames: Map<string, AlertRule>;
  readonly stats: AlertEngineStats = { rounds: 0, skippedRounds: 0, notices: 0, delivered: 0, failedAttempts: 0, dropped: 0, leader: false };
  private _queue: MessageQueue | undefined;

  constructor(options: AlertEngineOptions) {
    this._o = options;
    this._ruleNames = new Map(options.rules.map((r) => [r.id, r]));
  }

  /** The queue is attached after construction, because it reports its events back to {@link onDelivery}. */
  attach(queue: MessageQueue): void {
    this._queue = queue;
  }

  /** One job per distinct schedule of the rules. */
  jobs(): ScheduledJob[] {
    const bySchedule = new Map<string, AlertRule[]>();
    for (const r of this._o.rules) {
      const k = JSON.stringify(r.schedule);
      bySchedule.set(k, [...(bySchedule.get(k) ?? []), r]);
    }
    return [...bySchedule.entries()].map(([k, rules], i) => ({
      name: `alerts-${i + 1}`,
      schedule: JSON.parse(k) as ScheduledJob['schedule'],
      // A slow round (a busy Elasticsearch) finishes rather than being aborted half-way; ticks meanwhile are skipped.
      timeoutMs: Math.max(60_000, 'everyMs' in rules[0]!.schedule ? rules[0]!.schedule.everyMs : 0),
      run: (signal: AbortSignal) => this.round(rules, signal),
    }));
  }

  /** A snapshot of the states (tests, /metrics). */
  states(): AlertState[] {
    return [...this._book.values()].flatMap((m) => [...m.values()]);
  }

  /** Notifications not yet delivered to every receiver. */
  pending(): OutboxEntry[] {
    return [...this._outbox.values()].flat();
  }

  private async _holdLease(nowMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.stats.leader && this._leaseUntilMs - nowMs > this._o.leaseTtlMs / 2) return true;
    if (this._leaseCall) return this._leaseCall;
    this._leaseCall = (async () => {
      try {
        const ok = await this._o.store.acquireLease(this._o.owner, nowMs, this._o.leaseTtlMs, signal);
        if (ok) this._leaseUntilMs = nowMs + this._o.leaseTtlMs;
        if (ok && !this.stats.leader) this._o.logger.info({ owner: this._o.owner }, 'alerts: this replica evaluates (lease taken)');
        if (!ok && this.stats.leader) this._o.logger.warn({ owner: this._o.owner }, 'alerts: lease lost; another replica evaluates');
        if (!ok) this._loaded = false;
        this.stats.leader = ok;
        return ok;
      } finally {
        this._leaseCall = undefined;
      }
    })();
    return this._leaseCall;
  }

  private async _load(signal: AbortSignal): Promise<void> {
    const stored = await this._o.store.loadAlerts(signal);
    await this._writes;
    const book: AlertBook = new Map();
    const outbox = new Map<string, OutboxEntry[]>();
    for (const a of stored) {
      const m = book.get(a.state.ruleId) ?? new Map<string, AlertState>();
      m.set(a.state.group, a.state);
      book.set(a.state.ruleId, m);
      if (a.outbox.length > 0) outbox.set(key(a.state.ruleId, a.state.group), [...a.outbox]);
    }
    this._book = book;
    this._outbox = outbox;
    this._loaded = true;
    // Re-send what a previous process queued but did not see delivered.
    const now = this._o.clock.nowMs();
    const resend = this.pending().filter((e) => now - e.createdMs <= this._o.maxAgeMs);
    if (resend.length > 0) this._o.logger.info({ notifications: resend.length }, 'alerts: re-queueing notifications not delivered before the restart');
    this._enqueue(resend);
  }

  private _enqueue(entries: readonly OutboxEntry[]): void {
    if (!this._queue || entries.length === 0) return;
    const planned: PlannedNotice[] = entries.map((e) => ({ id: e.id, receivers: e.receivers, notice: e.notice }));
    const alertOf = new Map(entries.map((e) => [e.id, key(e.notice.ruleId, e.notice.group ?? '')]));
    for (const g of groupByReceiver(planned, Math.min(...entries.map((e) => e.createdMs)))) {
      this._messages.set(g.message.id, g.noticeIds.map((id) => ({ alert: alertOf.get(id) ?? '', noticeId: id })));
      this._queue.enqueue(g.receiver, g.message);
    }
  }

  /** One evaluation round of `rules` at the clock's now. */
  async round(rules: readonly AlertRule[], signal: AbortSignal): Promise<void> {
    const nowMs = this._o.clock.nowMs();
    // One listener per concurrent search of the round.
    setMaxListeners(rules.length + 20, signal);
    if (!(await this._holdLease(nowMs, signal))) {
      this.stats.skippedRounds += 1;
      return;
    }
    if (!this._loaded) await this._load(signal);
    const silences = await this._o.store.listSilences(nowMs, signal);
    const observations = new Map<string, readonly Observation[]>();
    if (this._o.observeAll) for (const [id, obs] of await this._o.observeAll(rules, nowMs, signal)) observations.set(id, obs);
    else await Promise.all(rules.map(async (r) => observations.set(r.id, await this._o.observe(r, nowMs, signal))));
    const explanations = new Map<string, string>();
    if (this._o.capacity) {
      const needed = new Set<'cpu' | 'memory'>();
      for (const r of rules) {
        if (r.explain !== undefined && (observations.get(r.id) ?? []).some((o) => conditionOf(r, o, nowMs).active)) needed.add(r.explain);
      }
      for (const res of needed) {
        try {
          explanations.set(res, explainCapacity(capacityFacts(await this._o.capacity(res, nowMs, signal))));
        } catch (err) {
          this._o.logger.warn({ err: toError(err).message, resource: res }, 'alerts: no explanation (capacity query failed)');
        }
      }
    }
    const before = new Map(rules.map((r) => [r.id, new Map(this._book.get(r.id) ?? [])]));
    const result = evaluateRound({
      rules,
      observations,
      book: this._book,
      nowMs,
      silences,
      flapping: this._o.flapping,
      ...(this._o.uiUrl === undefined ? {} : { uiUrl: this._o.uiUrl }),
      explanation: (rule) => (rule.explain === undefined ? undefined : explanations.get(rule.explain)),
    });
    const known = new Set(this._queue?.receivers() ?? []);
    const newEntries: OutboxEntry[] = [];
    const events: AlertEventInput[] = [];
    for (const p of result.notices) {
      const rule = this._ruleNames.get(p.notice.ruleId);
      const unknown = p.receivers.filter((r) => !known.has(r));
      if (unknown.length > 0) this._o.logger.warn({ rule: p.notice.ruleId, receivers: unknown }, 'alerts: rule names receivers without a notifier; they get nothing');
      const receivers = p.receivers.filter((r) => known.has(r));
      events.push(this._event(nowMs, p, p.notice.action, undefined, rule));
      if (receivers.length === 0) continue;
      const entry: OutboxEntry = { id: p.id, createdMs: nowMs, receivers, notice: p.notice };
      newEntries.push(entry);
      const k = key(p.notice.ruleId, p.notice.group ?? '');
      this._outbox.set(k, [...(this._outbox.get(k) ?? []), entry]);
    }
    for (const s of result.suppressed) {
      const prev = before.get(s.ruleId)?.get(s.group);
      if (s.reason === 'silenced' && prev?.withheld !== true) {
        events.push({ atMs: nowMs, ruleId: s.ruleId, ruleName: this._ruleNames.get(s.ruleId)?.name ?? s.ruleId, group: s.group, action: 'silenced', message: `${s.action} withheld by a silence` });
      }
    }
    const touched = new Set(result.changed.map((s) => key(s.ruleId, s.group)));
    for (const e of newEntries) touched.add(key(e.notice.ruleId, e.notice.group ?? ''));
    await this._save([...touched], signal);
    await this._o.store.writeEvents(events, signal);
    this.stats.rounds += 1;
    this.stats.notices += result.notices.length;
    this._enqueue(newEntries);
  }

  private _event(atMs: number, p: PlannedNotice, action: AlertEventInput['action'], notifier: string | undefined, rule: AlertRule | undefined): AlertEventInput {
    return {
      atMs,
      ruleId: p.notice.ruleId,
      ruleName: p.notice.ruleName,
      group: p.notice.group ?? '',
      action,
      ...(notifier === undefined ? {} : { notifier }),
      message: p.notice.message,
      ...(p.notice.value === undefined ? {} : { value: p.notice.value }),
      ...(typeof rule?.threshold === 'number' ? { threshold: rule.threshold } : p.notice.threshold === undefined ? {} : { threshold: p.notice.threshold }),
      noticeId: p.id,
    };
  }

  private _stored(k: string): StoredAlert | undefined {
    const [ruleId, group] = JSON.parse(k) as [string, string];
    const state = this._book.get(ruleId)?.get(group);
    if (!state) return undefined;
    const rule = this._ruleNames.get(ruleId);
    return {
      ruleName: rule?.name ?? ruleId,
      ...(rule === undefined ? {} : { severity: rule.severity }),
      state,
      outbox: this._outbox.get(k) ?? [],
      ...(typeof rule?.threshold === 'number' ? { threshold: rule.threshold } : {}),
    };
  }

  private async _save(keys: readonly string[], signal?: AbortSignal): Promise<void> {
    const docs = keys.map((k) => this._stored(k)).filter((a): a is StoredAlert => a !== undefined);
    await this._o.store.saveAlerts(docs, signal);
  }

  /** What the queue reports: delivered receivers leave the persisted outbox; every outcome is an event. */
  onDelivery(e: DeliveryEvent): void {
    const notices = this._messages.get(e.message.id) ?? [];
    const events: AlertEventInput[] = [];
    const touched = new Set<string>();
    for (const n of notices) {
      const entries = this._outbox.get(n.alert) ?? [];
      const entry = entries.find((x) => x.id === n.noticeId);
      if (!entry) continue;
      const rule = this._ruleNames.get(entry.notice.ruleId);
      const p: PlannedNotice = { id: entry.id, receivers: entry.receivers, notice: entry.notice };
      if (e.type === 'failed') {
        events.push({ ...this._event(e.atMs, p, 'notify_failed', e.receiver, rule), message: `${entry.notice.action}: ${e.error?.message ?? 'delivery failed'}` });
        continue;
      }
      events.push(e.type === 'delivered' ? this._event(e.atMs, p, entry.notice.action, e.receiver, rule) : { ...this._event(e.atMs, p, 'dropped', e.receiver, rule), message: `${entry.notice.action}: ${e.error?.message ?? 'dropped'}` });
      const rest = entry.receivers.filter((r) => r !== e.receiver);
      const next = rest.length === 0 ? entries.filter((x) => x !== entry) : entries.map((x) => (x === entry ? { ...x, receivers: rest } : x));
      if (next.length === 0) this._outbox.delete(n.alert);
      else this._outbox.set(n.alert, next);
      touched.add(n.alert);
    }
    if (e.type === 'delivered') this.stats.delivered += 1;
    else if (e.type === 'failed') this.stats.failedAttempts += 1;
    else this.stats.dropped += 1;
    if (e.type !== 'failed') this._messages.delete(e.message.id);
    this._writes = this._writes
      .then(async () => {
        await this._save([...touched]);
        await this._o.store.writeEvents(events);
      })
      .catch((err: unknown) => this._o.logger.warn({ err: toError(err).message }, 'alerts: recording a delivery failed'));
  }

  /** Waits for the delivery records written so far. */
  async flush(): Promise<void> {
    await this._writes;
  }

  /** Releases the lease (another replica takes over at once). */
  async stop(): Promise<void> {
    await this._writes;
    if (this.stats.leader) await this._o.store.releaseLease(this._o.owner);
    this.stats.leader = false;
  }
}
