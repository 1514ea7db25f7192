import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRules, DocumentSet, type AlertRule, type RuleSpec } from '../../../src/alerts/index.js';
import { AlertEngine, AlertStore, observeEs, type DeliveryEvent, type MessageQueue } from '../../../src/alerts/service/index.js';
import type { OutboundMessage } from '../../../src/model/ports.js';
import { indexName, installTemplates } from '../../../src/store/index.js';
import { ManualClock, silentLogger } from '../../../src/util/index.js';
import { runCli } from '../../support/cli.js';
import { testEsUrl } from '../../support/env.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const client = testEsClient();
const prefix = uniquePrefix('alerts');

/** Leader documents every 10 s for 40 min: CPU 95 % allocated during [10:05, 10:20), 40 % otherwise; labels for grouping. */
function clusterDocs(): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  for (let t = T0; t <= T0 + 40 * MIN; t += 10_000) {
    const percent = t >= T0 + 5 * MIN && t < T0 + 20 * MIN ? 0.95 : 0.4;
    docs.push({
      '@timestamp': iso(t),
      event: { dataset: 'mesos.master' },
      mesos: { master: { url: 'http://m:5050', elected: true }, cpus: { total: 10, used: percent * 10, percent }, agents: { inactive: (t / 10_000) % 3 } },
    });
    for (const [i, label] of ['linux', 'win', '<b>x</b>'].entries()) {
      docs.push({ '@timestamp': iso(t), event: { dataset: 'jenkins.queue.label' }, jenkins: { label }, queue: { length: 1, wait_ms: { p95: ((t / 10_000) % 7) * 1000 * (i + 1) } } });
    }
  }
  return docs;
}

/** A queue that hands each message to a list at once (or keeps it while `down`) and reports like the Outbox. */
class TestQueue implements MessageQueue {
  readonly sent: Array<{ receiver: string; message: OutboundMessage }> = [];
  down = false;
  constructor(
    private readonly _onEvent: (e: DeliveryEvent) => void,
    private readonly _names: string[] = ['mail', 'chat'],
  ) {}
  receivers(): string[] {
    return this._names;
  }
  enqueue(receiver: string, message: OutboundMessage): 'queued' {
    if (this.down) return 'queued';
    this.sent.push({ receiver, message });
    this._onEvent({ type: 'delivered', receiver, message, atMs: message.createdAtMs });
    return 'queued';
  }
}

function rules(): AlertRule[] {
  const spec: RuleSpec = { id: 'cpu', kind: 'threshold', dataset: 'mesos.master', filter: { 'mesos.master.elected': true }, field: 'mesos.cpus.percent', threshold: 0.9, window: '1m', for: '2m', interval: '1m', receivers: ['mail', 'chat'] };
  return compileRules([spec], { intervalMs: MIN, receivers: [] });
}

function engine(clock: ManualClock, owner: string, rs = rules()): { engine: AlertEngine; queue: TestQueue } {
  const e = new AlertEngine({
    store: new AlertStore(client, prefix),
    rules: rs,
    observe: (rule, nowMs, signal) => observeEs(client, prefix, rule, nowMs, 500, signal),
    flapping: { maxChanges: 10, windowMs: 3_600_000, stableForMs: 0 },
    maxAgeMs: 86_400_000,
    leaseTtlMs: 3 * MIN,
    owner,
    clock,
    logger: silentLogger(),
  });
  const queue = new TestQueue((ev) => e.onDelivery(ev));
  e.attach(queue);
  return { engine: e, queue };
}

const signal = new AbortController().signal;

beforeAll(async () => {
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const docs = clusterDocs();
  const operations: unknown[] = [];
  for (const d of docs) operations.push({ create: { _index: indexName(prefix, d['event'] && (d['event'] as { dataset: string }).dataset === 'mesos.master' ? 'cluster' : 'queue', Date.parse(d['@timestamp'] as string)) } }, d);
  const res = await client.bulk({ operations: operations, refresh: true });
  expect(res.errors).toBe(false);
}, 120_000);

afterAll(async () => {
  await dropPrefix(client, prefix);
  await client.close();
});

describe('alert queries on Elasticsearch answer what the in-memory document set answers', () => {
  it.each(['avg', 'max', 'min', 'sum', 'count', 'p95'] as const)('%s grouped by label over 5 min', async (aggregation) => {
    const [r] = compileRules([{ id: 'q', kind: 'threshold', dataset: 'jenkins.queue.label', field: 'queue.wait_ms.p95', aggregation, threshold: 1, window: '5m', groupBy: 'jenkins.label' }], { intervalMs: MIN, receivers: [] });
    const rule = r as AlertRule;
    const at = T0 + 12 * MIN;
    const es = await observeEs(client, prefix, rule, at, 500);
    const mem = new DocumentSet(clusterDocs()).observe(rule, at);
    expect(es.map((o) => o.group).sort()).toEqual(['<b>x</b>', 'linux', 'win']);
    for (const o of mem) {
      const got = es.find((x) => x.group === o.group)?.value as number;
      // TDigest percentiles are approximate; the other aggregations are exact.
      if (aggregation === 'p95') expect(Math.abs(got - (o.value as number))).toBeLessThanOrEqual(0.05 * (o.value as number));
      else expect(got).toBeCloseTo(o.value as number, 6);
    }
  });

  it('nodata sees the newest document of the dataset', async () => {
    const [r] = compileRules([{ id: 'nd', kind: 'nodata', dataset: 'mesos.master', after: '5m' }], { intervalMs: MIN, receivers: [] });
    expect(await observeEs(client, prefix, r as AlertRule, T0 + 50 * MIN, 500)).toEqual([{ group: '', lastSeenMs: T0 + 40 * MIN }]);
  });
});

describe('the engine on Elasticsearch', () => {
  it('fires once per receiver, survives a restart without a duplicate, re-sends what was not delivered, resolves once; two replicas send once', async () => {
    const clock = new ManualClock(T0 + 5 * MIN);
    const a = engine(clock, 'replica-a');
    const b = engine(clock, 'replica-b');
    // 10:06 pending, 10:07, 10:08 fires (held 2 min).
    for (const m of [6, 7, 8]) {
      clock.set(T0 + m * MIN);
      await a.engine.round(rules(), signal);
      await b.engine.round(rules(), signal); // replica b never holds the lease while a renews it
    }
    await a.engine.flush();
    expect(a.queue.sent.map((s) => [s.receiver, s.message.subject])).toEqual([
      ['chat', '[warning] cpu: firing'],
      ['mail', '[warning] cpu: firing'],
    ]);
    expect(b.queue.sent).toEqual([]);
    expect(b.engine.stats.skippedRounds).toBe(3);

    // Restart: a new process of replica a (same owner) finds the alert firing and notified: nothing is sent again.
    const a2 = engine(clock, 'replica-a');
    for (const m of [9, 10]) {
      clock.set(T0 + m * MIN);
      await a2.engine.round(rules(), signal);
    }
    expect(a2.queue.sent).toEqual([]);
    expect(a2.engine.states().map((s) => [s.status, s.notified, s.notifications])).toEqual([['firing', 'firing', 1]]);

    // The receivers are down when it resolves (10:21): the notice stays pending in the store...
    a2.queue.down = true;
    clock.set(T0 + 21 * MIN);
    await a2.engine.round(rules(), signal);
    await a2.engine.flush();
    expect(a2.engine.pending().map((p) => [p.notice.action, [...p.receivers].sort()])).toEqual([['resolved', ['chat', 'mail']]]);
    // ...the process dies; replica b takes over once the lease expired (3 min) and sends the resolve, once per receiver.
    clock.set(T0 + 25 * MIN);
    await b.engine.round(rules(), signal);
    await b.engine.flush();
    expect(b.queue.sent.map((s) => [s.receiver, s.message.subject])).toEqual([
      ['chat', '[warning] cpu: resolved'],
      ['mail', '[warning] cpu: resolved'],
    ]);
    clock.set(T0 + 26 * MIN);
    await b.engine.round(rules(), signal);
    expect(b.queue.sent).toHaveLength(2);
    expect(b.engine.pending()).toEqual([]);

    await client.indices.refresh({ index: `${prefix}-alert-events-*` });
    const events = await client.search({ index: `${prefix}-alert-events-*`, size: 100, sort: [{ '@timestamp': 'asc' }] });
    const rows = events.hits.hits.map((h) => {
      const s = h._source as { event: { action: string }; notifier?: string };
      return `${s.event.action}${s.notifier === undefined ? '' : `@${s.notifier}`}`;
    });
    expect(rows.filter((r) => r.startsWith('fired')).sort()).toEqual(['fired', 'fired@chat', 'fired@mail']);
    expect(rows.filter((r) => r.startsWith('resolved')).sort()).toEqual(['resolved', 'resolved@chat', 'resolved@mail']);
  }, 60_000);
});

describe('rightsize alerts silence', () => {
  it('add, list, expire', async () => {
    const env = { RIGHTSIZE_ES_URL: testEsUrl(), RIGHTSIZE_INDEX_PREFIX: prefix, RIGHTSIZE_CONFIG: '/dev/null' };
    const add = await runCli(['alerts', 'silence', 'add', '--rule', 'cpu', '--group', 'linux', '--for', '2h', '--comment', 'maintenance', '--author', 'ops'], env);
    expect(add.code).toBe(0);
    const id = /^silence (\S+):/.exec(add.out)?.[1] as string;
    expect(id).toBeDefined();
    const list = await runCli(['alerts', 'silence', 'list'], env);
    expect(list.out).toContain(`${id}\tcpu\tlinux\t`);
    expect(list.out).toContain('\tops\tmaintenance');
    const expire = await runCli(['alerts', 'silence', 'expire', id], env);
    expect(expire.code).toBe(0);
    const after = await runCli(['alerts', 'silence', 'list'], env);
    expect(after.out).not.toContain(id);
    const all = await runCli(['alerts', 'silence', 'list', '--all'], env);
    expect(all.out).toContain(id);
    const missing = await runCli(['alerts', 'silence', 'expire', 'nope'], env);
    expect(missing.code).toBe(1);
  }, 60_000);
});
