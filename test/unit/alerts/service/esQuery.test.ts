import { describe, expect, it } from 'vitest';
import { compileRules, initialState, type AlertRule, type RuleSpec } from '../../../../src/alerts/index.js';
import { alertDocument, observationSearch, parseAlertDocument, parseObservations } from '../../../../src/alerts/service/index.js';

function rule(spec: Partial<RuleSpec>): AlertRule {
  return compileRules([{ id: 'r', kind: 'threshold', dataset: 'jenkins.queue.label', field: 'queue.wait_ms.p95', threshold: 1, ...spec }], { intervalMs: 60_000, receivers: [] })[0] as AlertRule;
}

describe('observationSearch', () => {
  it('a grouped p95 threshold: the dataset index, the (now − window, now] range, a terms aggregation with percentiles', () => {
    const s = observationSearch(rule({ aggregation: 'p95', window: '5m', groupBy: 'jenkins.label', filter: { 'jenkins.url': 'http://j' } }), 'rs', 1_000_000, 200);
    expect(s.index).toBe('rs-queue-*');
    expect(s.body['query']).toEqual({
      bool: {
        filter: [
          { range: { '@timestamp': { gt: 700_000, lte: 1_000_000, format: 'epoch_millis' } } },
          { term: { 'event.dataset': 'jenkins.queue.label' } },
          { term: { 'jenkins.url': 'http://j' } },
          { exists: { field: 'queue.wait_ms.p95' } },
        ],
      },
    });
    expect(s.body['aggs']).toEqual({ groups: { terms: { field: 'jenkins.label', size: 200 }, aggs: { v: { percentiles: { field: 'queue.wait_ms.p95', percents: [95] } } } } });
  });
  it('job rules read the builds indices without a dataset filter', () => {
    const [r] = compileRules([{ id: 'o', kind: 'job-oom' }], { intervalMs: 1, receivers: [] });
    const s = observationSearch(r as AlertRule, 'rs', 86_400_000, 50);
    expect(s.index).toBe('rs-builds-*');
    expect(JSON.stringify(s.body)).not.toContain('event.dataset');
  });
});

describe('parseObservations', () => {
  it('reads grouped percentiles and skips empty buckets', () => {
    const r = rule({ aggregation: 'p95', groupBy: 'jenkins.label' });
    const aggs = { groups: { buckets: [{ key: 'linux', v: { values: { '95.0': 120_000 } } }, { key: 'win', v: { values: { '95.0': null } } }] } };
    expect(parseObservations(r, aggs)).toEqual([{ group: 'linux', value: 120_000 }]);
  });
  it('reads an ungrouped average, an empty one gives nothing; nodata reads the max @timestamp; job-waste scales to a week', () => {
    expect(parseObservations(rule({}), { v: { value: 0.5 } })).toEqual([{ group: '', value: 0.5 }]);
    expect(parseObservations(rule({}), { v: { value: null } })).toEqual([]);
    const [nd] = compileRules([{ id: 'n', kind: 'nodata', dataset: 'mesos.master', after: '5m' }], { intervalMs: 1, receivers: [] });
    expect(parseObservations(nd as AlertRule, { last: { value: 1234 } })).toEqual([{ group: '', lastSeenMs: 1234 }]);
    const [w] = compileRules([{ id: 'w', kind: 'job-waste', threshold: 1, window: '1d' }], { intervalMs: 1, receivers: [] });
    expect(parseObservations(w as AlertRule, { groups: { buckets: [{ key: 'api', v: { value: 3600 } }] } })).toEqual([{ group: 'api', value: 7 }]);
    expect(parseObservations(w as AlertRule, 'garbage')).toEqual([]);
  });
});

describe('alert state documents', () => {
  it('round-trip state and undelivered notifications', () => {
    const state = { ...initialState('cpu', 'linux', 5000), status: 'firing' as const, sinceMs: 4000, pendingSinceMs: 1000, notified: 'firing' as const, lastNotifiedMs: 4000, notifications: 1, changesMs: [4000], value: 0.95 };
    const outbox = [{ id: 'n1', createdMs: 4000, receivers: ['mail'], notice: { ruleId: 'cpu', ruleName: 'CPU', group: 'linux', severity: 'critical' as const, action: 'fired' as const, message: 'm', sinceMs: 4000 } }];
    const doc = alertDocument({ ruleName: 'CPU', state, outbox, threshold: 0.9 });
    expect(doc['alert']).toMatchObject({ group: 'linux', status: 'firing', since: 4000, last_notified: 4000, value: 0.95, threshold: 0.9, notifications: 1 });
    expect(parseAlertDocument(JSON.parse(JSON.stringify(doc)))).toEqual({ ruleName: 'CPU', state, outbox, threshold: 0.9 });
    expect(parseAlertDocument({ lease: { owner: 'x' } })).toBeUndefined();
  });

  it("keep the rule's severity (rule.severity); a document without one or with an unknown value reads back without it", () => {
    const state = { ...initialState('cpu', 'linux', 5000), status: 'firing' as const, sinceMs: 4000 };
    const doc = JSON.parse(JSON.stringify(alertDocument({ ruleName: 'CPU', severity: 'critical', state, outbox: [] }))) as Record<string, Record<string, unknown>>;
    expect(doc['rule']).toEqual({ id: 'cpu', name: 'CPU', severity: 'critical' });
    expect(parseAlertDocument(doc)?.severity).toBe('critical');
    expect(parseAlertDocument({ ...doc, rule: { id: 'cpu', name: 'CPU' } })).not.toHaveProperty('severity');
    expect(parseAlertDocument({ ...doc, rule: { id: 'cpu', name: 'CPU', severity: 'page-me' } })).not.toHaveProperty('severity');
  });
});
