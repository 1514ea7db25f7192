import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RightsizeError } from '../../../src/errors/index.js';
import type { Notifier, OutboundMessage } from '../../../src/model/index.js';
import { Outbox, RecordingNotifier, type OutboxEvent, type OutboxPolicy } from '../../../src/notifiers/index.js';
import { alertMessage } from './helpers.js';

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const clock = { nowMs: () => Date.now() };
const policy: OutboxPolicy = { retry: { baseMs: 1_000, maxMs: 8_000, jitter: 0 }, maxAgeMs: 60_000, maxQueued: 10, timeoutMs: 5_000 };

function message(id: string, createdAtMs = Date.now()): OutboundMessage {
  return alertMessage({ id, createdAtMs });
}

function outbox(notifiers: Notifier[], events: OutboxEvent[], p: OutboxPolicy = policy): Outbox {
  return new Outbox({ notifiers, defaultPolicy: p, clock, random: () => 0, onEvent: (e) => events.push(e) });
}

describe('Outbox', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers a message once per receiver and refuses the same id again', async () => {
    const mail = new RecordingNotifier('mail', 'email');
    const chat = new RecordingNotifier('chat', 'slack');
    const events: OutboxEvent[] = [];
    const box = outbox([mail, chat], events);
    expect(box.enqueue('mail', message('a'))).toBe('queued');
    expect(box.enqueue('chat', message('a'))).toBe('queued');
    expect(box.enqueue('mail', message('a'))).toBe('duplicate'); // still queued
    await vi.advanceTimersByTimeAsync(0);
    expect(mail.sent.map((m) => m.id)).toEqual(['a']);
    expect(chat.sent.map((m) => m.id)).toEqual(['a']);
    expect(box.enqueue('mail', message('a'))).toBe('duplicate'); // delivered already
    await vi.advanceTimersByTimeAsync(10_000);
    expect(mail.sent).toHaveLength(1);
    expect(events.map((e) => `${e.type}:${e.receiver}`)).toEqual(['delivered:mail', 'delivered:chat']);
    expect(box.stats()).toEqual([
      { receiver: 'mail', kind: 'email', delivered: 1, failedAttempts: 0, dropped: 0, queued: 0 },
      { receiver: 'chat', kind: 'slack', delivered: 1, failedAttempts: 0, dropped: 0, queued: 0 },
    ]);
    await box.close();
  });

  it('retries after backoffDelayMs(attempt): 1 s, 2 s, 4 s, then delivers', async () => {
    const mail = new RecordingNotifier('mail', 'email');
    mail.failNext(3);
    const events: OutboxEvent[] = [];
    const box = outbox([mail], events);
    box.enqueue('mail', message('m1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(mail.attempts).toBe(1);
    // attempt n+1 comes baseMs × 2^(n-1) after attempt n (jitter 0): at 1000, 3000, 7000 ms
    for (const [atMs, attempts] of [[999, 1], [1_000, 2], [2_999, 2], [3_000, 3], [6_999, 3], [7_000, 4]] as const) {
      await vi.advanceTimersByTimeAsync(T0 + atMs - Date.now());
      expect(mail.attempts, `attempts at ${atMs} ms`).toBe(attempts);
    }
    expect(mail.sent.map((m) => m.id)).toEqual(['m1']);
    const failed = events.filter((e) => e.type === 'failed');
    expect(failed.map((e) => (e.type === 'failed' ? [e.attempt, e.nextAttemptAtMs - T0, e.error.code] : []))).toEqual([
      [1, 1_000, 'RS_ERR_NOTIFY_UNREACHABLE'],
      [2, 3_000, 'RS_ERR_NOTIFY_UNREACHABLE'],
      [3, 7_000, 'RS_ERR_NOTIFY_UNREACHABLE'],
    ]);
    const delivered = events.find((e) => e.type === 'delivered');
    expect(delivered?.type === 'delivered' && delivered.attempt).toBe(4);
    expect(box.stats()[0]).toMatchObject({ delivered: 1, failedAttempts: 3, dropped: 0, queued: 0 });
    await box.close();
  });

  it('keeps a message through an outage shorter than maxAge, in order', async () => {
    const mail = new RecordingNotifier('mail', 'email');
    mail.goDown();
    const box = outbox([mail], []);
    box.enqueue('mail', message('first'));
    await vi.advanceTimersByTimeAsync(5_000);
    box.enqueue('mail', message('second'));
    await vi.advanceTimersByTimeAsync(40_000);
    expect(mail.sent).toHaveLength(0);
    expect(box.stats()[0]).toMatchObject({ queued: 2, dropped: 0 });
    mail.recover();
    // the longest wait is retryMaxMs
    await vi.advanceTimersByTimeAsync(policy.retry.maxMs);
    expect(mail.sent.map((m) => m.id)).toEqual(['first', 'second']);
    expect(box.stats()[0]).toMatchObject({ delivered: 2, dropped: 0, queued: 0 });
    await box.close();
  });

  it('drops a message at maxAge after its creation, counted and recorded with the last error', async () => {
    const mail = new RecordingNotifier('mail', 'email');
    mail.goDown();
    const events: OutboxEvent[] = [];
    const box = outbox([mail], events, { ...policy, maxAgeMs: 10_000 });
    box.enqueue('mail', message('old', T0 - 2_000)); // created 2 s before it was queued
    await vi.advanceTimersByTimeAsync(7_999);
    expect(box.stats()[0]).toMatchObject({ queued: 1, dropped: 0 });
    await vi.advanceTimersByTimeAsync(1);
    expect(box.stats()[0]).toMatchObject({ queued: 0, dropped: 1, delivered: 0 });
    const dropped = events.find((e) => e.type === 'dropped');
    expect(dropped?.type).toBe('dropped');
    if (dropped?.type !== 'dropped') return;
    expect(dropped.atMs).toBe(T0 + 8_000);
    expect(dropped.reason).toBe('max-age');
    expect(dropped.error.code).toBe('RS_ERR_NOTIFY_DROPPED');
    expect((dropped.error.cause as RightsizeError).code).toBe('RS_ERR_NOTIFY_UNREACHABLE');
    expect(dropped.attempts).toBe(mail.attempts);
    mail.recover();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(mail.sent).toHaveLength(0);
    await box.close();
  });

  it('a dead receiver never delays another', async () => {
    const mail = new RecordingNotifier('mail', 'email');
    const chat = new RecordingNotifier('chat', 'slack');
    mail.goDown();
    const box = outbox([mail, chat], []);
    box.enqueue('mail', message('x'));
    box.enqueue('chat', message('x'));
    await vi.advanceTimersByTimeAsync(0);
    expect(chat.sent).toHaveLength(1);
    await box.close();
  });

  it('aborts an attempt that hangs after timeoutMs and counts it as failed', async () => {
    let calls = 0;
    const hanging: Notifier = {
      receiver: 'hook',
      kind: 'webhook',
      send: (_m, signal) => {
        calls += 1;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
      },
      close: () => Promise.resolve(),
    };
    const events: OutboxEvent[] = [];
    const box = outbox([hanging], events);
    box.enqueue('hook', message('h'));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(events).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(events[0]?.type).toBe('failed');
    expect(events[0]?.type === 'failed' && events[0].error.code).toBe('RS_ERR_NOTIFY_UNREACHABLE');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    await box.close();
  });

  it('drops the oldest waiting message when the queue is full', async () => {
    const mail = new RecordingNotifier('mail', 'email');
    mail.goDown();
    const events: OutboxEvent[] = [];
    const box = outbox([mail], events, { ...policy, maxQueued: 2 });
    box.enqueue('mail', message('1'));
    box.enqueue('mail', message('2'));
    await vi.advanceTimersByTimeAsync(0);
    box.enqueue('mail', message('3'));
    const dropped = events.filter((e) => e.type === 'dropped');
    expect(dropped.map((e) => (e.type === 'dropped' ? [e.message.id, e.reason] : []))).toEqual([['1', 'queue-full']]);
    expect(box.stats()[0]).toMatchObject({ queued: 2, dropped: 1 });
    await box.close();
  });

  it('flush waits for the queues; close records what is left and closes the notifiers', async () => {
    const mail = new RecordingNotifier('mail', 'email');
    const chat = new RecordingNotifier('chat', 'slack');
    chat.goDown();
    const events: OutboxEvent[] = [];
    const box = outbox([mail, chat], events);
    box.enqueue('mail', message('ok'));
    box.enqueue('chat', message('stuck'));
    const flushed = box.flush(3_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await flushed).toBe(false);
    expect(mail.sent).toHaveLength(1);
    await box.close();
    expect(mail.closed && chat.closed).toBe(true);
    const dropped = events.find((e) => e.type === 'dropped');
    expect(dropped?.type === 'dropped' && [dropped.message.id, dropped.reason]).toEqual(['stuck', 'closed']);
    expect(() => box.enqueue('mail', message('late'))).toThrow(expect.objectContaining({ code: 'RS_ERR_LIFECYCLE_SHUTDOWN' }) as Error);
    await box.close(); // idempotent
  });

  it('names an unknown receiver with a coded error', async () => {
    const box = outbox([new RecordingNotifier('mail')], []);
    expect(() => box.enqueue('nope', message('a'))).toThrow(expect.objectContaining({ code: 'RS_ERR_NOTIFY_RECEIVER_UNKNOWN' }) as Error);
    await box.close();
  });

  it('an event handler that throws does not stop delivery', async () => {
    const mail = new RecordingNotifier('mail', 'email');
    const box = new Outbox({ notifiers: [mail], defaultPolicy: policy, clock, onEvent: () => { throw new Error('boom'); } });
    box.enqueue('mail', message('a'));
    box.enqueue('mail', message('b'));
    await vi.advanceTimersByTimeAsync(0);
    expect(mail.sent.map((m) => m.id)).toEqual(['a', 'b']);
    await box.close();
  });
});
