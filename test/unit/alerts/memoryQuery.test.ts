import { describe, expect, it } from 'vitest';
import { capacityFacts, compare, compileRules, DocumentSet, explainCapacity, fieldAt, type AlertRule, type RuleSpec } from '../../../src/alerts/index.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function rule(spec: Partial<RuleSpec>): AlertRule {
  return compileRules([{ id: 'r', kind: 'threshold', dataset: 'jenkins.queue.label', field: 'queue.wait_ms.p95', threshold: 1, ...spec }], { intervalMs: MIN, receivers: [] })[0] as AlertRule;
}

/** Label queue documents: linux waits 10, 20, 30, 40, 100 s at minutes 1..5; win 5 s at minute 5. */
function queueDocs(): DocumentSet {
  const docs: unknown[] = [10_000, 20_000, 30_000, 40_000, 100_000].map((w, i) => ({
    '@timestamp': iso(T0 + (i + 1) * MIN),
    event: { dataset: 'jenkins.queue.label' },
    jenkins: { label: 'linux' },
    queue: { length: 1, wait_ms: { p95: w } },
  }));
  docs.push({ '@timestamp': iso(T0 + 5 * MIN), event: { dataset: 'jenkins.queue.label' }, jenkins: { label: 'win' }, queue: { length: 0, wait_ms: { p95: 5000 } } });
  docs.push({ '@timestamp': iso(T0 + 5 * MIN), event: { dataset: 'jenkins.queue' }, queue: { length: 1 } });
  docs.push('not a document', { '@timestamp': 'yesterday', event: { dataset: 'jenkins.queue' } });
  return new DocumentSet(docs);
}

describe('DocumentSet: each aggregation over a window, by hand', () => {
  const docs = queueDocs();
  const at = T0 + 5 * MIN;
  const cases: Array<[RuleSpec['aggregation'], number]> = [
    ['avg', 40_000], // (10+20+30+40+100)/5 s
    ['sum', 200_000],
    ['max', 100_000],
    ['min', 10_000],
    ['count', 5],
    ['p95', 88_000], // rank 0.95 × 4 = 3.8 → 40 + 0.8 × (100 − 40) = 88 s
  ];
  for (const [aggregation, expected] of cases) {
    it(`${aggregation} of linux over the last 5 min is ${expected}`, () => {
      const obs = docs.observe(rule({ aggregation, window: '5m', groupBy: 'jenkins.label' }), at);
      expect(obs.find((o) => o.group === 'linux')?.value).toBeCloseTo(expected, 6);
    });
  }
  it('the window is (now − window, now]: 2 min at minute 5 holds minutes 4 and 5', () => {
    const obs = docs.observe(rule({ aggregation: 'avg', window: '2m', groupBy: 'jenkins.label' }), at);
    expect(obs).toEqual([{ group: 'linux', value: 70_000 }, { group: 'win', value: 5000 }]);
  });
  it('ungrouped rules see every group; unparseable lines are counted as skipped', () => {
    expect(docs.observe(rule({ aggregation: 'max', window: '10m' }), at)).toEqual([{ group: '', value: 100_000 }]);
    expect(docs.skipped).toBe(2);
    expect(docs.size).toBe(7);
  });
  it('filters are term equalities', () => {
    const obs = docs.observe(rule({ aggregation: 'count', window: '10m', filter: { 'jenkins.label': 'win' } }), at);
    expect(obs).toEqual([{ group: '', value: 1 }]);
  });
});

describe('compare: each comparator', () => {
  it.each([
    ['>', 0.9, 0.9, false],
    ['>', 0.91, 0.9, true],
    ['>=', 0.9, 0.9, true],
    ['<', 0.9, 0.9, false],
    ['<', 0.1, 0.9, true],
    ['<=', 0.9, 0.9, true],
  ] as const)('%s: %d vs %d → %s', (op, v, t, want) => {
    expect(compare(v, op, t)).toBe(want);
  });
  it('between and outside are inclusive of the bounds', () => {
    expect(compare(1, 'between', [1, 2])).toBe(true);
    expect(compare(2, 'between', [1, 2])).toBe(true);
    expect(compare(2.5, 'between', [1, 2])).toBe(false);
    expect(compare(2.5, 'outside', [1, 2])).toBe(true);
    expect(compare(1, 'outside', [1, 2])).toBe(false);
  });
});

describe('job rules over builds documents', () => {
  const build = (job: string, endMs: number, extra: Record<string, unknown>) => ({
    '@timestamp': iso(endMs),
    jenkins: { job: { name: job }, build: { number: endMs } },
    build: { start: endMs - MIN, end: endMs, duration_ms: MIN },
    ...extra,
  });
  const docs = new DocumentSet([
    build('api', T0, { outcome: { oom_killed: true } }),
    build('api', T0 + MIN, { outcome: { oom_killed: false }, waste: { cpu_core_seconds: 7200 } }),
    build('web', T0 + MIN, { outcome: { oom_killed: true }, waste: { cpu_core_seconds: 3600 } }),
    build('web', T0 + 2 * MIN, { outcome: { oom_killed: true } }),
  ]);
  it('job-oom counts OOM-killed builds per job in the window', () => {
    const r = compileRules([{ id: 'oom', kind: 'job-oom', window: '1h' }], { intervalMs: MIN, receivers: [] })[0] as AlertRule;
    expect(docs.observe(r, T0 + 2 * MIN)).toEqual([{ group: 'api', value: 1 }, { group: 'web', value: 2 }]);
    expect(r.comparator).toBe('>=');
    expect(r.threshold).toBe(1);
  });
  it('job-waste scales the window sum to core-hours a week (1 day window: × 7)', () => {
    const r = compileRules([{ id: 'w', kind: 'job-waste', window: '1d', threshold: 10 }], { intervalMs: MIN, receivers: [] })[0] as AlertRule;
    expect(docs.observe(r, T0 + 2 * MIN)).toEqual([{ group: 'api', value: 14 }, { group: 'web', value: 7 }]);
  });
  it('recommendation-change is the larger relative change of CPU or memory in the window', () => {
    const rec = (ms: number, cpu: number, mem: number) => ({ '@timestamp': iso(ms), workload: { kind: 'jenkins.job', key: 'api' }, current: {}, recommended: { cpu_cores: cpu, memory_bytes: mem } });
    const set = new DocumentSet([rec(T0, 2, 1000), rec(T0 + MIN, 1.5, 1100), rec(T0 + 2 * MIN, 1, 1200)]);
    const r = compileRules([{ id: 'c', kind: 'recommendation-change', threshold: 0.3 }], { intervalMs: MIN, receivers: [] })[0] as AlertRule;
    expect(set.observe(r, T0 + 2 * MIN)).toEqual([{ group: 'api', value: 0.5 }]); // cpu 2 → 1: 50 %, memory +20 %
  });
});

describe('fieldAt', () => {
  it('reads nested paths and keys that hold dots', () => {
    expect(fieldAt({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(fieldAt({ container: { labels: { 'com.docker.x': 'y' } } }, 'container.labels.com.docker.x')).toBe('y');
    expect(fieldAt({ a: 1 }, 'a.b')).toBeUndefined();
  });
});

describe('the capacity explanation', () => {
  const master = { '@timestamp': iso(T0), event: { dataset: 'mesos.master' }, mesos: { master: { url: 'm', elected: true }, cpus: { total: 10, used: 9.4, percent: 0.94 } } };
  const exec = (id: string, job: string, build: number, req: number, used: number) => ({
    '@timestamp': iso(T0),
    event: { dataset: 'mesos.executor' },
    container: { id },
    jenkins: { job: { name: job }, build: { number: build } },
    request: { cpu_cores: req },
    cpu: { cores: used },
  });
  it('reserved but idle: names the jobs the recommendations would free the most of', () => {
    const docs = new DocumentSet([
      master,
      exec('c1', 'api-tests', 1, 2, 0.5),
      exec('c2', 'api-tests', 2, 2, 0.6),
      exec('c3', 'lint', 7, 1, 0.2),
      exec('c4', 'deploy', 3, 1, 0.9),
      { '@timestamp': iso(T0), workload: { kind: 'jenkins.job', key: 'api-tests' }, current: { cpu_cores: 2 }, recommended: { cpu_cores: 1.3 } },
    ]);
    const facts = capacityFacts(docs.capacity('cpu', T0, 2 * MIN));
    // used 0.5 + 0.6 + 0.2 + 0.9 = 2.2 of 9.4 allocated (23 %) of 10 cores (22 %).
    expect(facts.usedFraction).toBeCloseTo(0.22, 9);
    expect(facts.idle).toBe(true);
    // api-tests: 2 builds × (2 − 1.3) = 1.4; lint (no recommendation): 1 − 0.2 = 0.8 measured; deploy 0.1.
    expect(explainCapacity(facts)).toBe(
      'cluster CPU 94 % allocated, 22 % used by the running builds: reserved but idle; the 3 largest over-reservations: api-tests 1.4 cores (2 builds), lint 0.8 cores (1 build, measured idle), deploy 0.1 cores (1 build, measured idle).',
    );
  });
  it('really used when the running builds use most of the allocation', () => {
    const docs = new DocumentSet([master, exec('c1', 'a', 1, 5, 4.9), exec('c2', 'b', 1, 4.4, 4)]);
    expect(explainCapacity(capacityFacts(docs.capacity('cpu', T0, 2 * MIN)))).toBe('cluster CPU 94 % allocated, 89 % used by the running builds: the capacity is really used.');
  });
});
