import { RightsizeError, toError } from '../errors/index.js';
import type { Notifier, OutboundMessage } from '../model/index.js';
import { abortableSleep, backoffDelayMs, type BackoffPolicy } from '../scheduler/index.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** How one receiver's outbox retries and how long it keeps a message. */
export interface OutboxPolicy {
  /** Waits between attempts (`backoffDelayMs`). */
  readonly retry: BackoffPolicy;
  /** A message not delivered this long after `createdAtMs` is dropped, ms. */
  readonly maxAgeMs: number;
  /** Messages waiting; beyond it the oldest waiting one is dropped. */
  readonly maxQueued: number;
  /** One attempt is aborted after this long, ms. */
  readonly timeoutMs: number;
}

export const DEFAULT_OUTBOX_POLICY: OutboxPolicy = {
  retry: { baseMs: 5_000, maxMs: 300_000, jitter: 0.5 },
  maxAgeMs: 86_400_000,
  maxQueued: 1_000,
  timeoutMs: 15_000,
};

/** Why a message was given up. */
export type DropReason = 'max-age' | 'queue-full' | 'closed';

interface EventBase {
  readonly receiver: string;
  /** The notifier's kind (`email`, `slack`, ...). */
  readonly notifierKind: string;
  readonly message: OutboundMessage;
  /** Epoch ms the event happened. */
  readonly atMs: number;
}

/** What happened to a message, for alert-events and logs. `attempt` counts from 1. */
export type OutboxEvent =
  | (EventBase & { readonly type: 'delivered'; readonly attempt: number })
  | (EventBase & { readonly type: 'failed'; readonly attempt: number; readonly error: RightsizeError; readonly nextAttemptAtMs: number })
  | (EventBase & { readonly type: 'dropped'; readonly attempts: number; readonly reason: DropReason; readonly error: RightsizeError });

/** Counters of one receiver, for /metrics; all monotonic except `queued`. */
export interface ReceiverStats {
  readonly receiver: string;
  readonly kind: string;
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly dropped: number;
  /** Messages waiting now (including one being attempted). */
  readonly queued: number;
}

export interface OutboxOptions {
  readonly notifiers: readonly Notifier[];
  /** Per-receiver policy; receivers not named use `defaultPolicy`. */
  readonly policies?: Readonly<Record<string, OutboxPolicy>>;
  /** @defaultValue DEFAULT_OUTBOX_POLICY */
  readonly defaultPolicy?: OutboxPolicy;
  /** Called for every delivered / failed / dropped message; errors it throws are logged, never propagated. */
  readonly onEvent?: (event: OutboxEvent) => void;
  readonly logger?: Logger;
  /** @defaultValue systemClock */
  readonly clock?: Clock;
  /** A value in [0, 1) for the backoff jitter. @defaultValue Math.random */
  readonly random?: () => number;
  /** How the outbox waits (for a retry, an expiry); must resolve early when `signal` aborts. @defaultValue abortableSleep */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Message ids remembered per receiver as delivered (oldest forgotten first). @defaultValue 10 000 */
  readonly rememberDelivered?: number;
}

interface Entry {
  readonly message: OutboundMessage;
  attempts: number;
  nextAttemptAtMs: number;
  lastError?: RightsizeError;
  sending: boolean;
}

interface Lane {
  readonly notifier: Notifier;
  readonly policy: OutboxPolicy;
  readonly queue: Entry[];
  readonly delivered: Set<string>;
  deliveredCount: number;
  failedAttempts: number;
  dropped: number;
  running?: Promise<void>;
  wake?: AbortController;
  idleWaiters: Array<() => void>;
}

/**
 * Delivers messages through each receiver's notifier, one at a time per receiver (receivers never
 * wait for each other), in the order they were enqueued. A failed attempt is retried after
 * `backoffDelayMs(attempt)`; a message is kept until `maxAgeMs` after it was created and then
 * dropped, recorded and counted, so an SMTP or webhook outage delays notifications without losing
 * them. A message id is delivered at most once per receiver (ids queued or delivered are refused).
 * No timers of its own: waiting is the injected `sleep` (abortableSleep by default).
 */
export class Outbox {
  private readonly _lanes = new Map<string, Lane>();
  private readonly _onEvent: ((event: OutboxEvent) => void) | undefined;
  private readonly _logger: Logger | undefined;
  private readonly _clock: Clock;
  private readonly _random: () => number;
  private readonly _sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly _remember: number;
  private readonly _closing = new AbortController();
  private _closed = false;

  constructor(options: OutboxOptions) {
    this._onEvent = options.onEvent;
    this._logger = options.logger;
    this._clock = options.clock ?? systemClock;
    this._random = options.random ?? Math.random;
    this._sleep = options.sleep ?? abortableSleep;
    this._remember = options.rememberDelivered ?? 10_000;
    for (const notifier of options.notifiers) {
      if (this._lanes.has(notifier.receiver)) throw new RightsizeError('RS_ERR_CONFIG_INVALID', `two notifiers for receiver '${notifier.receiver}'`);
      const policy = options.policies?.[notifier.receiver] ?? options.defaultPolicy ?? DEFAULT_OUTBOX_POLICY;
      this._lanes.set(notifier.receiver, { notifier, policy, queue: [], delivered: new Set(), deliveredCount: 0, failedAttempts: 0, dropped: 0, idleWaiters: [] });
    }
  }

  /** Receiver names, in configuration order. */
  receivers(): string[] {
    return [...this._lanes.keys()];
  }

  /**
   * Queues `message` for `receiver`. Returns `duplicate` (and queues nothing) when that id is
   * queued or was delivered to that receiver already. Throws RS_ERR_NOTIFY_RECEIVER_UNKNOWN for a
   * receiver without a notifier and RS_ERR_LIFECYCLE_SHUTDOWN after `close`.
   */
  enqueue(receiver: string, message: OutboundMessage): 'queued' | 'duplicate' {
    if (this._closed) throw new RightsizeError('RS_ERR_LIFECYCLE_SHUTDOWN', 'the outbox is closed');
    const lane = this._lanes.get(receiver);
    if (!lane) {
      throw new RightsizeError('RS_ERR_NOTIFY_RECEIVER_UNKNOWN', `no receiver named '${receiver}' (configured: ${this.receivers().join(', ') || 'none'})`, { meta: { receiver } });
    }
    if (lane.delivered.has(message.id) || lane.queue.some((e) => e.message.id === message.id)) return 'duplicate';
    if (lane.queue.length >= lane.policy.maxQueued) {
      const victim = lane.queue.findIndex((e) => !e.sending);
      if (victim >= 0) {
        const [entry] = lane.queue.splice(victim, 1);
        if (entry) this._drop(lane, entry, 'queue-full');
      }
    }
    lane.queue.push({ message, attempts: 0, nextAttemptAtMs: this._clock.nowMs(), sending: false });
    lane.wake?.abort();
    this._ensureRunning(lane);
    return 'queued';
  }

  /** Counters per receiver. */
  stats(): ReceiverStats[] {
    return [...this._lanes.values()].map((l) => ({
      receiver: l.notifier.receiver,
      kind: l.notifier.kind,
      delivered: l.deliveredCount,
      failedAttempts: l.failedAttempts,
      dropped: l.dropped,
      queued: l.queue.length,
    }));
  }

  /** The messages waiting per receiver (e.g. to persist them before a shutdown). */
  pending(): Array<{ readonly receiver: string; readonly message: OutboundMessage; readonly attempts: number }> {
    return [...this._lanes.values()].flatMap((l) => l.queue.map((e) => ({ receiver: l.notifier.receiver, message: e.message, attempts: e.attempts })));
  }

  /** Resolves true once every queue is empty, or false when `timeoutMs` passes first. */
  async flush(timeoutMs: number): Promise<boolean> {
    const busy = [...this._lanes.values()].filter((l) => l.queue.length > 0);
    if (busy.length === 0) return true;
    const deadline = new AbortController();
    const idle = Promise.all(busy.map((l) => new Promise<void>((resolve) => l.idleWaiters.push(resolve))));
    const done = await Promise.race([idle.then(() => true), this._sleep(timeoutMs, deadline.signal).then(() => false)]);
    deadline.abort();
    return done || [...this._lanes.values()].every((l) => l.queue.length === 0);
  }

  /**
   * Stops: waits up to `drainMs` for the queues to empty, then aborts attempts in flight, records
   * what is still queued as dropped (`closed`) and closes the notifiers. Idempotent.
   */
  async close(drainMs = 0): Promise<void> {
    if (this._closed) return;
    if (drainMs > 0) await this.flush(drainMs);
    this._closed = true;
    this._closing.abort(new RightsizeError('RS_ERR_LIFECYCLE_SHUTDOWN', 'the outbox is closing'));
    await Promise.allSettled([...this._lanes.values()].flatMap((l) => (l.running ? [l.running] : [])));
    for (const lane of this._lanes.values()) {
      for (const entry of lane.queue.splice(0)) this._drop(lane, entry, 'closed');
      for (const resolve of lane.idleWaiters.splice(0)) resolve();
    }
    await Promise.allSettled([...this._lanes.values()].map((l) => l.notifier.close()));
  }

  private _ensureRunning(lane: Lane): void {
    if (lane.running || this._closed) return;
    lane.running = this._run(lane)
      .catch((err: unknown) => this._logger?.error({ receiver: lane.notifier.receiver, err: toError(err).message }, 'outbox lane failed'))
      .finally(() => {
        delete lane.running;
        if (lane.queue.length > 0 && !this._closed) this._ensureRunning(lane);
        else for (const resolve of lane.idleWaiters.splice(0)) resolve();
      });
  }

  private async _run(lane: Lane): Promise<void> {
    while (!this._closed) {
      const now = this._clock.nowMs();
      for (const entry of lane.queue.filter((e) => this._expiresAt(lane, e) <= now)) {
        lane.queue.splice(lane.queue.indexOf(entry), 1);
        this._drop(lane, entry, 'max-age');
      }
      if (lane.queue.length === 0) return;
      const due = lane.queue.find((e) => e.nextAttemptAtMs <= now);
      if (!due) {
        const nextMs = Math.min(...lane.queue.map((e) => Math.min(e.nextAttemptAtMs, this._expiresAt(lane, e))));
        const wake = new AbortController();
        lane.wake = wake;
        await this._sleep(Math.max(1, nextMs - now), AbortSignal.any([wake.signal, this._closing.signal]));
        delete lane.wake;
        continue;
      }
      await this._attempt(lane, due);
    }
  }

  private _expiresAt(lane: Lane, entry: Entry): number {
    return entry.message.createdAtMs + lane.policy.maxAgeMs;
  }

  private async _attempt(lane: Lane, entry: Entry): Promise<void> {
    const { notifier, policy } = lane;
    entry.attempts += 1;
    entry.sending = true;
    const attempt = new AbortController();
    const timer = setTimeout(() => {
      attempt.abort(new RightsizeError('RS_ERR_NOTIFY_UNREACHABLE', `receiver ${notifier.receiver}: no answer within ${policy.timeoutMs} ms`, { meta: { receiver: notifier.receiver } }));
    }, policy.timeoutMs);
    timer.unref();
    try {
      await notifier.send(entry.message, AbortSignal.any([attempt.signal, this._closing.signal]));
      lane.queue.splice(lane.queue.indexOf(entry), 1);
      this._remembered(lane, entry.message.id);
      lane.deliveredCount += 1;
      this._emit({ type: 'delivered', receiver: notifier.receiver, notifierKind: notifier.kind, message: entry.message, attempt: entry.attempts, atMs: this._clock.nowMs() });
    } catch (err) {
      if (this._closed) return; // stopped mid-attempt: the message stays queued and is recorded by close()
      const error = asNotifyError(err, notifier.receiver);
      entry.lastError = error;
      lane.failedAttempts += 1;
      const now = this._clock.nowMs();
      entry.nextAttemptAtMs = now + backoffDelayMs(entry.attempts, policy.retry, this._random);
      this._emit({ type: 'failed', receiver: notifier.receiver, notifierKind: notifier.kind, message: entry.message, attempt: entry.attempts, error, nextAttemptAtMs: entry.nextAttemptAtMs, atMs: now });
      this._logger?.warn({ receiver: notifier.receiver, messageId: entry.message.id, attempt: entry.attempts, code: error.code, err: error.message }, 'notification attempt failed');
    } finally {
      clearTimeout(timer);
      entry.sending = false;
    }
  }

  private _remembered(lane: Lane, id: string): void {
    lane.delivered.add(id);
    if (lane.delivered.size > this._remember) {
      const oldest = lane.delivered.values().next().value;
      if (oldest !== undefined) lane.delivered.delete(oldest);
    }
  }

  private _drop(lane: Lane, entry: Entry, reason: DropReason): void {
    lane.dropped += 1;
    const { receiver, kind } = lane.notifier;
    const why =
      reason === 'max-age'
        ? `not delivered within ${lane.policy.maxAgeMs} ms of its creation (${entry.attempts} attempt(s))`
        : reason === 'queue-full'
          ? `pushed out of a full queue (${lane.policy.maxQueued} messages)`
          : 'still queued when the outbox closed';
    const error = new RightsizeError('RS_ERR_NOTIFY_DROPPED', `receiver ${receiver}: message ${entry.message.id} dropped: ${why}${entry.lastError ? `; last error ${entry.lastError.code}: ${entry.lastError.message}` : ''}`, {
      meta: { receiver, reason, attempts: entry.attempts },
      ...(entry.lastError ? { cause: entry.lastError } : {}),
    });
    this._logger?.error({ receiver, messageId: entry.message.id, reason, attempts: entry.attempts }, 'notification dropped');
    this._emit({ type: 'dropped', receiver, notifierKind: kind, message: entry.message, attempts: entry.attempts, reason, error, atMs: this._clock.nowMs() });
  }

  private _emit(event: OutboxEvent): void {
    if (!this._onEvent) return;
    try {
      this._onEvent(event);
    } catch (err) {
      this._logger?.warn({ receiver: event.receiver, type: event.type, err: toError(err).message }, 'outbox event handler failed');
    }
  }
}

/** Any failure as a coded error: a notifier's own RightsizeError as is, anything else wrapped. */
function asNotifyError(err: unknown, receiver: string): RightsizeError {
  if (err instanceof RightsizeError) return err;
  const e = toError(err);
  return new RightsizeError('RS_ERR_NOTIFY_UNREACHABLE', `receiver ${receiver}: ${e.message}`, { meta: { receiver }, cause: err });
}
