import type { Client } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, analyzeBuilds, generateTrace, toBuildRecord, withPolicy, type BuildRecord } from '../../../../src/analysis/index.js';
import { WorkloadGrouper, analyzeFromStore } from '../../../../src/analysis/service/index.js';
import type { BuildDoc, RecommendationDoc } from '../../../../src/model/index.js';
import { withEcsBase } from '../../../../src/store/index.js';

/**
 * An in-process stand-in for the few Elasticsearch calls the service makes: it answers the
 * composite page request from in-memory build documents the way Elasticsearch does (buckets in
 * key order, `after_key` whenever a page has buckets, `top_hits` newest first), and keeps the
 * recommendations and history in maps. Records every request.
 */
interface J {
  readonly [key: string]: J;
}
class FakeEs {
  readonly latest = new Map<string, RecommendationDoc>();
  readonly history = new Map<string, RecommendationDoc>();
  readonly searches: unknown[] = [];
  /** Calls in the order they were made: `search`, `mget`, `bulk`. */
  readonly calls: string[] = [];
  down = false;
  /** mget answers after this many ms. */
  mgetDelayMs = 0;
  /** The bulk request with this 1-based number fails. */
  failBulk: number | undefined;
  constructor(private readonly docs: readonly BuildDoc[]) {}

  get client(): Client {
    return {
      cluster: { health: () => (this.down ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve({ status: 'green' })) },
      indices: { refresh: () => Promise.resolve({}) },
      search: (req: J) => {
        this.calls.push('search');
        return Promise.resolve(this.search(req));
      },
      mget: async (req: { ids: string[] }) => {
        this.calls.push('mget');
        if (this.mgetDelayMs > 0) await new Promise((r) => setTimeout(r, this.mgetDelayMs));
        return {
          docs: req.ids.map((id) => (this.latest.has(id) ? { _id: id, found: true, _source: structuredClone(this.latest.get(id)) } : { _id: id, found: false })),
        };
      },
      bulk: (req: { operations: unknown[] }) => {
        this.calls.push('bulk');
        if (this.failBulk === this.calls.filter((c) => c === 'bulk').length) return Promise.reject(new Error('bulk rejected: es_rejected_execution_exception'));
        const items: unknown[] = [];
        for (let i = 0; i < req.operations.length; i += 2) {
          const [op, meta] = Object.entries(req.operations[i] as object)[0] as [string, { _index: string; _id: string }];
          const doc = structuredClone(req.operations[i + 1]) as RecommendationDoc;
          if (op === 'create') {
            const exists = this.history.has(meta._id);
            if (!exists) this.history.set(meta._id, doc);
            items.push({ create: { _id: meta._id, status: exists ? 409 : 201 } });
          } else {
            this.latest.set(meta._id, doc);
            items.push({ index: { _id: meta._id, status: 200 } });
          }
        }
        return Promise.resolve({ errors: false, items });
      },
    } as unknown as Client;
  }

  private search(req: J): unknown {
    // The Marathon apps search (containers indices): no apps in these tests.
    if (req['aggs']?.['apps'] !== undefined) return { aggregations: { apps: { buckets: [] } } };
    this.searches.push(req);
    const range = req['query']!['bool']!['filter']![0]!['range']!['build.end'] as unknown as { gte: number; lte: number };
    const comp = req['aggs']!['jobs']!['composite'] as unknown as { size: number; after?: { job: string } };
    const size = req['aggs']!['jobs']!['aggs']!['usable']!['aggs']!['recent']!['top_hits']!['size'] as unknown as number;
    const byJob = new Map<string, BuildDoc[]>();
    for (const d of this.docs) {
      if (d.build.end < range.gte || d.build.end > range.lte) continue;
      byJob.set(d.jenkins.job.name, [...(byJob.get(d.jenkins.job.name) ?? []), d]);
    }
    const names = [...byJob.keys()].sort().filter((n) => comp.after === undefined || n > comp.after.job);
    const page = names.slice(0, comp.size);
    const newest = (a: BuildDoc, b: BuildDoc) => b.build.end - a.build.end || b.jenkins.build.number - a.jenkins.build.number;
    const buckets = page.map((job) => {
      const all = [...byJob.get(job)!].sort(newest);
      const usable = all.filter((d) => !['ABORTED', 'NOT_BUILT'].includes(d.jenkins.result ?? ''));
      return {
        key: { job },
        doc_count: all.length,
        usable: { doc_count: usable.length, recent: { hits: { hits: usable.slice(0, size).map((d) => ({ _source: d })) } } },
        latest: { hits: { hits: all.slice(0, 1).map((d) => ({ _source: d })) } },
      };
    });
    return { aggregations: { jobs: { buckets, ...(page.length > 0 ? { after_key: { job: page[page.length - 1] } } : {}) } } };
  }
}

const docs = generateTrace({ jobs: 7, buildsPerJob: 25, seed: 11, days: 20 });
const nowMs = Math.max(...docs.map((d) => d.build.end));
const byKey = (list: readonly RecommendationDoc[]) => new Map(list.map((d) => [d.workload.key, d]));

describe('analyzeFromStore', () => {
  it('feeds the pure core page by page and gets exactly what analyzeBuilds gets from the same builds', async () => {
    const es = new FakeEs(docs);
    const r = await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'http://es:9200', policy: DEFAULT_POLICY, nowMs, pageSize: 3 });
    const offline = analyzeBuilds(
      docs.map((d) => toBuildRecord(d)),
      { policy: DEFAULT_POLICY, nowMs },
    );
    expect(r.jobs).toHaveLength(7);
    expect(byKey(r.jobs)).toEqual(byKey(offline.jobs));
    expect(byKey(r.labels)).toEqual(byKey(offline.labels));
    // 7 jobs in pages of 3: 3 + 3 + 1 and the empty page that ends the composite.
    expect(es.searches).toHaveLength(4);
    expect(r.stats.pages).toBe(4);
    expect(r.stats.jobs).toBe(7);
    expect(r.stats.write).toMatchObject({ written: 7, unchanged: 0, history: 7, failed: 0 });
    expect(es.latest.size).toBe(7);
    expect(es.latest.get(docs[0]!.jenkins.job.name)).toEqual(withEcsBase(byKey(offline.jobs).get(docs[0]!.jenkins.job.name)!));
  });

  it('searches the next page while the previous one is analysed and written, pages finishing in order', async () => {
    const es = new FakeEs(docs);
    es.mgetDelayMs = 20;
    const r = await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'http://es:9200', policy: DEFAULT_POLICY, nowMs, pageSize: 3 });
    // The second search went out before the first page's write, and at most one page was in flight.
    expect(es.calls.slice(0, 4)).toEqual(['search', 'mget', 'search', 'bulk']);
    expect(r.jobs.map((d) => d.workload.key)).toEqual([...new Set(docs.map((d) => d.jenkins.job.name))].sort());
    expect(r.stats.write).toMatchObject({ written: 7, failed: 0 });
  });

  it('a write that fails while the next page is searched fails the run with that error (never an unhandled rejection)', async () => {
    const es = new FakeEs(docs);
    es.mgetDelayMs = 5;
    es.failBulk = 1;
    await expect(analyzeFromStore({ client: es.client, prefix: 'rs', url: 'http://es:9200', policy: DEFAULT_POLICY, nowMs, pageSize: 3 })).rejects.toThrow(/es_rejected_execution_exception|bulk/);
    // Nothing after the failed page was written.
    expect(es.calls.filter((c) => c === 'bulk')).toHaveLength(1);
  });

  it('a second run reads the previous recommendations, changes nothing and adds history', async () => {
    const es = new FakeEs(docs);
    await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'u', policy: DEFAULT_POLICY, nowMs, runMs: 1 });
    const before = structuredClone([...es.latest.entries()]);
    const r = await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'u', policy: DEFAULT_POLICY, nowMs, runMs: 2 });
    expect(r.stats.write).toMatchObject({ written: 0, unchanged: 7, history: 7 });
    expect([...es.latest.entries()]).toEqual(before);
    expect(es.history.size).toBe(14);
    // The same run again (a retry) adds no history.
    const again = await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'u', policy: DEFAULT_POLICY, nowMs, runMs: 2 });
    expect(again.stats.write).toMatchObject({ history: 0, historyExisting: 7 });
  });

  it('passes the stored recommendation as the previous one (hysteresis holds a value within 15%)', async () => {
    const es = new FakeEs(docs);
    const first = await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'u', policy: DEFAULT_POLICY, nowMs, runMs: 1 });
    const target = first.jobs.find((d) => d.recommended.cpu_cores !== undefined && d.reasons.length === 0 && d.basis.builds >= 20)!;
    const held = Math.round(target.recommended.cpu_cores! * 1.1 * 10) / 10; // 10% above: a decrease to today's value is held
    es.latest.set(target.workload.key, { ...target, recommended: { ...target.recommended, cpu_cores: held } });
    const second = await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'u', policy: DEFAULT_POLICY, nowMs, runMs: 2, dryRun: true });
    const doc = second.jobs.find((d) => d.workload.key === target.workload.key)!;
    expect(doc.recommended.cpu_cores).toBe(held);
    expect(doc.reasons).toContain('hysteresis_hold');
  });

  it('asks for the policy\'s maxBuilds per job, at most the 100 hits top_hits may return', async () => {
    const es = new FakeEs(docs);
    await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'u', policy: withPolicy({ maxBuilds: 12 }), nowMs, dryRun: true });
    await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'u', policy: withPolicy({ maxBuilds: 150 }), nowMs, dryRun: true });
    const sizes = es.searches.map((r) => JSON.stringify(r).match(/"top_hits":\{"size":(\d+)/)?.[1]);
    expect(sizes).toEqual(['12', '12', '100', '100']);
  });

  it('--dry-run writes nothing', async () => {
    const es = new FakeEs(docs);
    const r = await analyzeFromStore({ client: es.client, prefix: 'rs', url: 'u', policy: DEFAULT_POLICY, nowMs, dryRun: true });
    expect(r.jobs).toHaveLength(7);
    expect(es.latest.size + es.history.size).toBe(0);
    expect(r.stats.write.written).toBe(0);
  });

  it('collapses PR jobs into one workload even across page boundaries', async () => {
    const rename = (d: BuildDoc, name: string): BuildDoc => ({ ...d, jenkins: { ...d.jenkins, job: { name } } });
    const names = ['t/r/PR-1', 't/r/PR-10', 't/r/PR-1-x', 't/r/PR-2', 't/r/main', 'u'];
    const base = generateTrace({ jobs: names.length, buildsPerJob: 6, seed: 2, days: 20 });
    const jobNames = [...new Set(base.map((d) => d.jenkins.job.name))];
    const prDocs = base.map((d) => rename(d, names[jobNames.indexOf(d.jenkins.job.name)]!));
    const policy = withPolicy({ splitBranchKind: true });
    const now = Math.max(...prDocs.map((d) => d.build.end));
    const r = await analyzeFromStore({ client: new FakeEs(prDocs).client, prefix: 'rs', url: 'u', policy, nowMs: now, pageSize: 2, dryRun: true });
    expect(r.jobs.map((d) => d.workload.key).sort()).toEqual(['t/r/PR-*', 't/r/PR-1-x', 't/r/main', 'u']);
    const offline = analyzeBuilds(
      prDocs.map((d) => toBuildRecord(d, true)),
      { policy, nowMs: now },
    );
    expect(byKey(r.jobs)).toEqual(byKey(offline.jobs));
    expect(r.jobs.find((d) => d.workload.key === 't/r/PR-*')!.basis.builds).toBe(
      offline.jobs.find((d) => d.workload.key === 't/r/PR-*')!.basis.builds,
    );
  });

  it('plans labels from the streamed jobs like the offline path', async () => {
    const r = await analyzeFromStore({ client: new FakeEs(docs).client, prefix: 'rs', url: 'u', policy: DEFAULT_POLICY, nowMs, pageSize: 2, dryRun: true, planK: 2 });
    const offline = analyzeBuilds(
      docs.map((d) => toBuildRecord(d)),
      { policy: DEFAULT_POLICY, nowMs, planK: 2 },
    );
    expect(r.plan?.labels).toEqual(offline.plan?.labels);
    expect(r.plan?.cost).toBeCloseTo(offline.plan!.cost, 9);
  });

  it('an unreachable Elasticsearch is RS_ERR_STORE_UNREACHABLE naming the (redacted) URL', async () => {
    const es = new FakeEs(docs);
    es.down = true;
    await expect(analyzeFromStore({ client: es.client, prefix: 'rs', url: 'http://user:secret@es.example:9200', policy: DEFAULT_POLICY, nowMs })).rejects.toMatchObject({
      code: 'RS_ERR_STORE_UNREACHABLE',
      message: expect.stringMatching(/es\.example:9200/) as unknown as string,
    });
    await expect(analyzeFromStore({ client: es.client, prefix: 'rs', url: 'http://user:secret@es.example:9200', policy: DEFAULT_POLICY, nowMs })).rejects.not.toMatchObject({
      message: expect.stringMatching(/secret/) as unknown as string,
    });
  });
});

describe('WorkloadGrouper', () => {
  const rec = (job: string, key: string): BuildRecord => ({ key, job, number: 1, startMs: 0, endMs: 1, durationMs: 1, oomKilled: false, sharedAgent: false });
  it('without splitting, every job is complete at once', () => {
    const g = new WorkloadGrouper(false);
    expect(g.add('a/PR-1', [rec('a/PR-1', 'a/PR-1')])).toEqual([[rec('a/PR-1', 'a/PR-1')]]);
    expect(g.flush()).toEqual([]);
  });
  it('holds a PR workload until a name outside its prefix arrives (nested parents too)', () => {
    const g = new WorkloadGrouper(true);
    expect(g.add('a/PR-1', [rec('a/PR-1', 'a/PR-*')])).toEqual([]);
    expect(g.add('a/PR-1/PR-3', [rec('a/PR-1/PR-3', 'a/PR-1/PR-*')])).toEqual([]);
    expect(g.add('a/PR-2', [rec('a/PR-2', 'a/PR-*')])).toEqual([[rec('a/PR-1/PR-3', 'a/PR-1/PR-*')]]);
    expect(g.add('a/PR-2x', [rec('a/PR-2x', 'a/PR-2x')])).toEqual([[rec('a/PR-2x', 'a/PR-2x')]]);
    expect(g.add('b', [rec('b', 'b')])).toEqual([[rec('a/PR-1', 'a/PR-*'), rec('a/PR-2', 'a/PR-*')], [rec('b', 'b')]]);
    expect(g.flush()).toEqual([]);
  });
});
