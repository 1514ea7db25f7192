import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, RecommendationCache, type ApiReads, type AppDeps } from '../../../src/api/index.js';
import { RightsizeError } from '../../../src/errors/index.js';
import type { RecommendationDoc } from '../../../src/model/index.js';
import type { ReportSink, StoredReport } from '../../../src/model/ports.js';
import { pino } from 'pino';
import { ManualClock } from '../../../src/util/index.js';
import { Writable } from 'node:stream';

const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 11, 3, 6, 0, 0);
const READ = 'read-token-0123456789abcdef';
const WRITE = 'write-token-0123456789abcdef';

function rec(key: string, o: { cpu: number; memMiB: number; saved: number; label?: string; severity?: RecommendationDoc['severity']; kind?: RecommendationDoc['workload']['kind']; current?: { cpu: number; memMiB: number } }): RecommendationDoc {
  return {
    '@timestamp': new Date(T0 - 600_000).toISOString(),
    workload: { kind: o.kind ?? 'jenkins.job', key },
    jenkins: { job: { name: key }, label: o.label ?? 'linux-2c' },
    current: { cpu_cores: o.current?.cpu ?? 2, memory_bytes: (o.current?.memMiB ?? 2048) * MiB },
    recommended: { cpu_cores: o.cpu, memory_bytes: o.memMiB * MiB },
    basis: { builds: 24, window_days: 30 },
    confidence: 'high',
    reasons: [],
    savings: { cpu_core_hours_per_week: o.saved, memory_gib_hours_per_week: o.saved / 2 },
    severity: o.severity ?? 'warning',
  };
}

const DOCS: RecommendationDoc[] = [
  rec('api-tests', { cpu: 0.6, memMiB: 600, saved: 10 }),
  rec('lint', { cpu: 0.2, memMiB: 300, saved: 2, severity: 'ok' }),
  rec('big/build', { cpu: 3, memMiB: 6000, saved: 30, label: 'linux-4c', severity: 'critical', current: { cpu: 4, memMiB: 8192 } }),
  rec('huge', { cpu: 12, memMiB: 60000, saved: 1, label: 'linux-4c' }),
  rec('<img src=x onerror=alert(1)>', { cpu: 1, memMiB: 900, saved: 5 }),
  rec('linux-1c', { cpu: 1, memMiB: 1024, saved: 0, kind: 'jenkins.label', current: { cpu: 1, memMiB: 1126 } }),
  rec('linux-2c', { cpu: 1, memMiB: 1024, saved: 3, kind: 'jenkins.label', current: { cpu: 2, memMiB: 2253 } }),
  rec('linux-4c', { cpu: 3, memMiB: 6000, saved: 9, kind: 'jenkins.label', current: { cpu: 4, memMiB: 9011 } }),
];

/** An in-memory store double: answers like the Elasticsearch shell, or fails like a dead one. */
class FakeReads implements ApiReads {
  down = false;
  silences: Array<{ id: string; rule_id: string; group?: string; until_ms: number; created_by?: string; comment?: string }> = [];
  missing: string[] = [];
  private fail(): void {
    if (this.down) throw new RightsizeError('RS_ERR_STORE_UNAVAILABLE', 'connect ECONNREFUSED 127.0.0.1:9200');
  }
  ping() {
    this.fail();
    return Promise.resolve();
  }
  missingTemplates() {
    this.fail();
    return Promise.resolve(this.missing);
  }
  builds(job: string, range: { fromMs: number; toMs: number }, limit: number) {
    this.fail();
    const all = [1, 2, 3].map((n) => ({ number: n, result: 'SUCCESS', end_ms: range.toMs - n * 1000, request: { cpu_cores: 2 }, cpu_p95_cores: 0.5 * n, oom_killed: n === 3 }));
    return Promise.resolve(job === 'api-tests' ? all.slice(0, limit) : []);
  }
  cluster(range: { fromMs: number; intervalMs: number }) {
    this.fail();
    return Promise.resolve({ now: { cpus_total: 16, cpus_allocated: 10, cpus_used: 3 }, series: [{ t: range.fromMs, cpus_total: 16, cpus_allocated: 10, cpus_used: 3 }] });
  }
  queue(range: { fromMs: number }) {
    this.fail();
    return Promise.resolve([{ label: 'linux-2c', builds: 4, wait_p95_ms: 1200, series: [{ t: range.fromMs, length: 1 }] }]);
  }
  broken = false;
  alerts() {
    this.fail();
    if (this.broken) throw new TypeError('a bug in the store shell');
    return Promise.resolve([
      { id: 'a1', rule_id: 'cpu-allocation', status: 'firing', group: 'linux-2c' },
      { id: 'a2', rule_id: 'queue-wait', status: 'firing' },
    ]);
  }
  activeSilences(nowMs: number) {
    this.fail();
    return Promise.resolve(this.silences.filter((s) => s.until_ms > nowMs));
  }
  createSilence(s: { ruleId: string; group?: string; untilMs: number; createdBy: string; comment?: string }) {
    this.fail();
    const row = { id: `s${this.silences.length + 1}`, rule_id: s.ruleId, ...(s.group ? { group: s.group } : {}), until_ms: s.untilMs, created_by: s.createdBy, ...(s.comment ? { comment: s.comment } : {}) };
    this.silences.push(row);
    return Promise.resolve(row);
  }
  expireSilence(id: string, nowMs: number) {
    this.fail();
    const s = this.silences.find((x) => x.id === id);
    if (s) s.until_ms = nowMs;
    return Promise.resolve(s !== undefined);
  }
}

class MemoryReports implements ReportSink {
  readonly reports = new Map<string, StoredReport>();
  put(r: StoredReport) {
    this.reports.set(r.id, r);
    return Promise.resolve();
  }
  get(id: string) {
    return Promise.resolve(this.reports.get(id));
  }
}

let app: ReturnType<typeof buildApp> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup(extra: Partial<AppDeps> = {}) {
  const clock = new ManualClock(T0);
  const store = { docs: DOCS, fail: false };
  const cache = new RecommendationCache({ clock, load: () => (store.fail ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve({ docs: store.docs, skipped: 0 })) });
  await cache.refresh();
  const reads = new FakeReads();
  const reports = new MemoryReports();
  app = buildApp({ cache, clock, reads, reports, staleAfterMs: 600_000, version: 'test', ...extra });
  return { app, clock, cache, store, reads, reports };
}
const body = <T = Record<string, unknown>>(r: { body: string }): T => JSON.parse(r.body) as T;
const code = (r: { body: string }): string => body<{ error: { code: string } }>(r).error.code;

describe('GET /api/v1/jobs/<job>?format=mesos-plugin', () => {
  it('answers the smallest label that covers the recommendation and the plugin fields in MB', async () => {
    const { app } = await setup();
    const r = body(await app.inject({ url: '/api/v1/jobs/api-tests?format=mesos-plugin' }));
    // 0.6 cores / 600 MiB: linux-1c (1 core, 1126 MiB) covers it and is the cheapest.
    expect(r).toMatchObject({ job: 'api-tests', label: 'linux-1c', label_cpus: 1, cpus: 0.6, mem: Math.ceil(600 / 1.1), plugin_version: '1', fallback: false });
    expect(body(await app.inject({ url: '/api/v1/jobs/big/build?format=mesos-plugin' }))).toMatchObject({ label: 'linux-4c', fallback: false });
    // Nothing covers 12 cores: the largest label, flagged.
    expect(body(await app.inject({ url: '/api/v1/jobs/huge?format=mesos-plugin' }))).toMatchObject({ label: 'linux-4c', fallback: true });
    const bad = await app.inject({ url: '/api/v1/jobs/api-tests?format=xml' });
    expect(bad.statusCode).toBe(400);
    expect(body<{ error: { message: string } }>(bad).error.message).toContain('querystring/format');
  });

  it("mem follows the plugin generation: 1.x slaveMem + executorMem (Mesos gets 1.1 ×), 2.x mem (Mesos gets mem + 32 MB)", async () => {
    const one = body(await (await setup({ mesosPluginVersion: '1' })).app.inject({ url: '/api/v1/jobs/big/build?format=mesos-plugin' }));
    const two = body(await (await setup({ mesosPluginVersion: '2' })).app.inject({ url: '/api/v1/jobs/big/build?format=mesos-plugin' }));
    // 3 cores / 6000 MiB: 1.x ⌈6000 / 1.1⌉ = 5455 MB (× 1.1 = 6000.5 ≥ 6000); 2.x 6000 − 32 = 5968 MB.
    expect(one).toMatchObject({ cpus: 3, mem: 5455, plugin_version: '1', label: 'linux-4c' });
    expect(two).toMatchObject({ cpus: 3, mem: 5968, plugin_version: '2', label: 'linux-4c' });
  });

  it('rejects an unknown format', async () => {
    const { app } = await setup();
    const bad = await app.inject({ url: '/api/v1/jobs/api-tests?format=xml' });
    expect(bad.statusCode).toBe(400);
    expect(body<{ error: { message: string } }>(bad).error.message).toContain('querystring/format');
  });

  it('every answer from the cache carries its age; after a failed reload (Elasticsearch down) it is marked stale', async () => {
    const { app, clock, cache, store } = await setup();
    clock.advance(42_000);
    const fresh = await app.inject({ url: '/api/v1/jobs/lint' });
    expect(fresh.headers['x-rightsize-data-age-ms']).toBe('42000');
    expect(fresh.headers['age']).toBe('42');
    expect(fresh.headers['x-rightsize-stale']).toBeUndefined();
    store.fail = true;
    expect(await cache.refresh()).toBe(false);
    const stale = await app.inject({ url: '/api/v1/jobs/lint' });
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['x-rightsize-stale']).toBe('true');
  });
});

describe('GET /api/v1/recommendations: filters, sort, pages', () => {
  it('filters by label, severity, minimum savings and text, and counts the matches', async () => {
    const { app } = await setup();
    const keys = async (q: string) => body<{ total: number; items: RecommendationDoc[] }>(await app.inject({ url: `/api/v1/recommendations?${q}` }));
    expect((await keys('label=linux-4c')).items.map((d) => d.workload.key)).toEqual(['big/build', 'huge']);
    expect((await keys('severity=critical')).items.map((d) => d.workload.key)).toEqual(['big/build']);
    expect((await keys('min_savings=5')).items.map((d) => d.workload.key)).toEqual(['big/build', 'api-tests', '<img src=x onerror=alert(1)>']);
    expect((await keys('q=API')).items.map((d) => d.workload.key)).toEqual(['api-tests']);
    const page = await keys('min_savings=1&limit=2&offset=1');
    expect(page.total).toBe(5);
    expect(page.items.map((d) => d.workload.key)).toEqual(['api-tests', '<img src=x onerror=alert(1)>']);
  });

  it('sorts by savings, memory savings or name, either way', async () => {
    const { app } = await setup();
    const keys = async (q: string) => body<{ items: RecommendationDoc[] }>(await app.inject({ url: `/api/v1/recommendations?${q}` })).items.map((d) => d.workload.key);
    expect(await keys('sort=name')).toEqual(['<img src=x onerror=alert(1)>', 'api-tests', 'big/build', 'huge', 'lint']);
    expect(await keys('sort=name&order=asc')).toEqual(['lint', 'huge', 'big/build', 'api-tests', '<img src=x onerror=alert(1)>']);
    expect(await keys('sort=savings&order=asc&limit=2')).toEqual(['huge', 'lint']);
  });
});

describe('GET /api/v1/labels and /labels/plan', () => {
  it('lists each label with its size, recommendation and job count; plans at most k sizes covering every job', async () => {
    const { app } = await setup();
    const labels = body<{ labels: Array<{ label: string; cpu_cores: number; jobs: number }> }>(await app.inject({ url: '/api/v1/labels' })).labels;
    expect(labels.map((l) => [l.label, l.cpu_cores, l.jobs])).toEqual([
      ['linux-1c', 1, 0],
      ['linux-2c', 2, 3],
      ['linux-4c', 4, 2],
    ]);
    const plan = body<{ labels: Array<{ cpu_cores: number; memory_bytes: number; jobs: number }>; jobs: number }>(await app.inject({ url: '/api/v1/labels/plan?k=2' }));
    expect(plan.labels.length).toBeLessThanOrEqual(2);
    expect(plan.labels.reduce((n, l) => n + l.jobs, 0)).toBe(plan.jobs);
    // The largest job (12 cores, 60000 MiB) must fit in some label.
    expect(plan.labels.some((l) => l.cpu_cores >= 12 && l.memory_bytes >= 60000 * MiB)).toBe(true);
    expect((await app.inject({ url: '/api/v1/labels/plan?k=0' })).statusCode).toBe(400);
  });
});

describe('store-backed routes', () => {
  it('builds by /jobs/<job>/builds and /builds?job=, with the recommendation to draw against', async () => {
    const { app } = await setup();
    const a = body<{ builds: Array<{ number: number }>; recommendation: { cpu_cores: number } }>(await app.inject({ url: '/api/v1/jobs/api-tests/builds?limit=2' }));
    expect(a.builds.map((b) => b.number)).toEqual([1, 2]);
    expect(a.recommendation.cpu_cores).toBe(0.6);
    const b = body<{ builds: unknown[]; from: string }>(await app.inject({ url: '/api/v1/builds?job=api-tests&from=now-2h' }));
    expect(b.builds).toHaveLength(3);
    expect(b.from).toBe(new Date(T0 - 7_200_000).toISOString());
  });

  it('invalid ranges are 400 naming the field', async () => {
    const { app } = await setup();
    for (const [url, field] of [
      ['/api/v1/cluster?from=yesterday', 'querystring/from'],
      ['/api/v1/queue?to=2026-13-45', 'querystring/to'],
      ['/api/v1/cluster?from=now-1h&to=now-2h', 'querystring/from'],
      ['/api/v1/cluster?from=now-400d', 'querystring/from'],
      ['/api/v1/builds?job=x&limit=5000', 'querystring/limit'],
      ['/api/v1/builds', 'querystring/job'],
      ['/api/v1/alerts?status=sleeping', 'querystring/status'],
    ] as const) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(400);
      expect(body<{ error: { code: string; message: string } }>(r).error, url).toMatchObject({ code: 'RS_ERR_API_BAD_REQUEST', message: expect.stringContaining(field) });
    }
  });

  it('Elasticsearch down: the last answer for the same request is served with its age; 503 when there is none', async () => {
    const { app, clock, reads } = await setup();
    const first = await app.inject({ url: '/api/v1/cluster?from=now-1h' });
    expect(first.statusCode).toBe(200);
    reads.down = true;
    clock.advance(65_000);
    // `now-1h` is relative: the cache key is the request, so the same URL gets the remembered answer.
    const stale = await app.inject({ url: '/api/v1/cluster?from=now-1h' });
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['x-rightsize-stale']).toBe('true');
    expect(stale.headers['x-rightsize-data-age-ms']).toBe('65000');
    expect(stale.headers['age']).toBe('65');
    expect(body(stale)).toEqual(body(first));
    const none = await app.inject({ url: '/api/v1/queue' });
    expect(none.statusCode).toBe(503);
    expect(code(none)).toBe('RS_ERR_STORE_UNAVAILABLE');
  });

  it('without a store the store routes answer 503, the cached ones still work', async () => {
    const clock = new ManualClock(T0);
    const cache = new RecommendationCache({ clock, load: () => Promise.resolve({ docs: DOCS, skipped: 0 }) });
    await cache.refresh();
    app = buildApp({ cache, clock, staleAfterMs: 600_000, version: 'test' });
    for (const url of ['/api/v1/cluster', '/api/v1/queue', '/api/v1/alerts', '/api/v1/builds?job=lint', '/api/v1/reports/weekly']) expect((await app.inject({ url })).statusCode, url).toBe(503);
    expect((await app.inject({ url: '/api/v1/jobs/lint' })).statusCode).toBe(200);
  });
});

describe('alerts and silences, with tokens', () => {
  it('a silence needs a write token: none → 401, a read token → 403, a wrong one → 401; the write token creates and expires it', async () => {
    const { app, reads, clock } = await setup({ tokens: { read: [READ], write: [WRITE] } });
    const silence = { rule_id: 'cpu-allocation', group: 'linux-2c', duration_ms: 3_600_000, created_by: 'ops', comment: 'planned resize' };
    const none = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: silence });
    expect([none.statusCode, code(none)]).toEqual([401, 'RS_ERR_API_UNAUTHORIZED']);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    const ro = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: silence, headers: { authorization: `Bearer ${READ}` } });
    expect([ro.statusCode, code(ro)]).toEqual([403, 'RS_ERR_API_FORBIDDEN']);
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: silence, headers: { authorization: `Bearer ${WRITE}x` } });
    expect([wrong.statusCode, code(wrong)]).toEqual([401, 'RS_ERR_API_UNAUTHORIZED']);
    expect(wrong.body).not.toContain(WRITE);
    const ok = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: silence, headers: { authorization: `Bearer ${WRITE}` } });
    expect(ok.statusCode).toBe(201);
    const created = body<{ id: string; until_ms: number }>(ok);
    expect(created.until_ms).toBe(T0 + 3_600_000);
    const alerts = body<{ alerts: Array<{ id: string; silenced_by?: string }>; silences: unknown[] }>(await app.inject({ url: '/api/v1/alerts', headers: { authorization: `Bearer ${READ}` } }));
    expect(alerts.alerts.map((a) => [a.id, a.silenced_by])).toEqual([
      ['a1', created.id],
      ['a2', undefined],
    ]);
    clock.advance(1000);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/silences/${created.id}`, headers: { authorization: `Bearer ${WRITE}` } })).statusCode).toBe(204);
    expect(reads.silences[0]?.until_ms).toBe(T0 + 1000);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/silences/nope', headers: { authorization: `Bearer ${WRITE}` } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/silences/${created.id}`, headers: { authorization: `Bearer ${READ}` } })).statusCode).toBe(403);
  });

  it('reads need a token only when read tokens are configured; health and docs never do', async () => {
    const open = await setup({ tokens: { read: [], write: [WRITE] } });
    expect((await open.app.inject({ url: '/api/v1/jobs/lint' })).statusCode).toBe(200);
    await open.app.close();
    const { app } = await setup({ tokens: { read: [READ], write: [WRITE] } });
    const r = await app.inject({ url: '/api/v1/jobs/lint' });
    expect([r.statusCode, code(r)]).toEqual([401, 'RS_ERR_API_UNAUTHORIZED']);
    expect((await app.inject({ url: '/api/v1/jobs/lint', headers: { authorization: `Bearer ${READ}` } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/jobs/lint', headers: { authorization: `Bearer ${WRITE}` } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/jobs/lint', headers: { authorization: `Basic ${READ}` } })).statusCode).toBe(401);
    for (const url of ['/healthz', '/metrics', '/api/openapi.json', '/']) expect((await app.inject({ url })).statusCode, url).toBe(200);
  });

  it('writes are refused (403) when no write token is configured', async () => {
    const { app } = await setup();
    const r = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { rule_id: 'x', duration_ms: 60_000, created_by: 'me' } });
    expect([r.statusCode, code(r)]).toEqual([403, 'RS_ERR_API_FORBIDDEN']);
    expect(body<{ error: { message: string } }>(r).error.message).toContain('api.writeTokens');
  });

  it('bad silence bodies are 400 naming the field; an oversize body is 413', async () => {
    const { app } = await setup({ tokens: { read: [], write: [WRITE] }, limits: { bodyLimitBytes: 2048 } });
    const auth = { authorization: `Bearer ${WRITE}` };
    for (const [payload, field] of [
      [{ duration_ms: 60_000, created_by: 'me' }, 'body/rule_id'],
      [{ rule_id: 'x', duration_ms: 10, created_by: 'me' }, 'body/duration_ms'],
      [{ rule_id: 'x', duration_ms: 60_000 }, 'body/created_by'],
      [{ rule_id: 'x', duration_ms: 60_000, created_by: 'me', colour: 'red' }, 'body/colour'],
      [{ rule_id: 'x', created_by: 'me' }, 'body/duration_ms'],
    ] as const) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/silences', payload, headers: auth });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(body<{ error: { message: string } }>(r).error.message, JSON.stringify(payload)).toContain(field);
    }
    const big = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { rule_id: 'x', duration_ms: 60_000, created_by: 'me', comment: 'x'.repeat(4000) }, headers: auth });
    expect([big.statusCode, code(big)]).toEqual([413, 'RS_ERR_API_TOO_LARGE']);
  });

  it('writes wait for writesReady (the templates): nothing reaches the store before it, and a refused gate is a coded 503', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    const { app, reads } = await setup({ tokens: { read: [], write: [WRITE] }, writesReady: () => gate });
    const auth = { authorization: `Bearer ${WRITE}` };
    const pending = app.inject({ method: 'POST', url: '/api/v1/silences', payload: { rule_id: 'x', duration_ms: 60_000, created_by: 'me' }, headers: auth });
    // The route is waiting: other routes answer meanwhile, and the store holds nothing yet.
    expect((await app.inject({ url: '/api/v1/jobs/lint' })).statusCode).toBe(200);
    expect(reads.silences).toEqual([]);
    open();
    expect((await pending).statusCode).toBe(201);
    expect(reads.silences.map((s) => s.rule_id)).toEqual(['x']);
    await app.close();

    const refused = await setup({ tokens: { read: [], write: [WRITE] }, writesReady: () => Promise.reject(new RightsizeError('RS_ERR_STORE_NOT_READY', 'the index templates are not installed yet')) });
    const post = await refused.app.inject({ method: 'POST', url: '/api/v1/silences', payload: { rule_id: 'x', duration_ms: 60_000, created_by: 'me' }, headers: auth });
    expect([post.statusCode, code(post)]).toEqual([503, 'RS_ERR_STORE_NOT_READY']);
    refused.reads.silences.push({ id: 's1', rule_id: 'x', until_ms: T0 + 60_000 });
    const del = await refused.app.inject({ method: 'DELETE', url: '/api/v1/silences/s1', headers: auth });
    expect([del.statusCode, code(del)]).toEqual([503, 'RS_ERR_STORE_NOT_READY']);
    expect(refused.reads.silences).toEqual([{ id: 's1', rule_id: 'x', until_ms: T0 + 60_000 }]);
  });

  it('tokens never reach the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    const { app, reads } = await setup({ tokens: { read: [READ], write: [WRITE] }, logger: pino({ level: 'trace' }, sink) });
    reads.broken = true;
    // A failing request is logged (500): with its request, never its Authorization header.
    expect((await app.inject({ url: '/api/v1/alerts', headers: { authorization: `Bearer ${READ}` } })).statusCode).toBe(500);
    await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { rule_id: 'x' }, headers: { authorization: `Bearer ${READ}nope` } });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(READ);
  });
});

describe('GET /api/v1/reports/weekly', () => {
  it('serves the stored report of a week in each format; the default is the last complete week; 404 when absent', async () => {
    const { app, reports } = await setup();
    const report: StoredReport = { id: 'weekly:2026-W48', kind: 'weekly', period: '2026-W48', generatedAtMs: T0, figures: { waste: 12 }, html: '<h1>W48</h1>', markdown: '# W48', csv: 'a,b\n1,2\n' };
    await reports.put(report);
    // T0 is Thursday 2026-12-03 (ISO week 49): the last complete week is W48.
    expect(body(await app.inject({ url: '/api/v1/reports/weekly' }))).toEqual({ id: 'weekly:2026-W48', period: '2026-W48', generated_at: new Date(T0).toISOString(), figures: { waste: 12 } });
    const html = await app.inject({ url: '/api/v1/reports/weekly?week=2026-W48&format=html' });
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['content-security-policy']).toContain('sandbox');
    expect(html.body).toBe('<h1>W48</h1>');
    expect((await app.inject({ url: '/api/v1/reports/weekly?week=2026-W48&format=md' })).body).toBe('# W48');
    expect((await app.inject({ url: '/api/v1/reports/weekly?week=2026-W48&format=csv' })).headers['content-type']).toContain('text/csv');
    expect((await app.inject({ url: '/api/v1/reports/weekly?week=2026-W40' })).statusCode).toBe(404);
    const bad = await app.inject({ url: '/api/v1/reports/weekly?week=2026-47' });
    expect(bad.statusCode).toBe(400);
    expect(body<{ error: { message: string } }>(bad).error.message).toContain('querystring/week');
  });
});

describe('/readyz and /metrics', () => {
  it('is ready when Elasticsearch answers, the templates are installed and the data is fresh; says which check failed', async () => {
    const { app, reads, clock } = await setup({ dataFreshAfterMs: 3_600_000 });
    const ok = await app.inject({ url: '/readyz' });
    expect(ok.statusCode).toBe(200);
    expect(body(ok)).toMatchObject({ status: 'ready', checks: { elasticsearch: { ok: true }, templates: { ok: true }, data: { ok: true, age_ms: 600_000 } } });
    reads.missing = ['rightsize-builds'];
    expect(body(await app.inject({ url: '/readyz' }))).toMatchObject({ status: 'not_ready', checks: { templates: { ok: false, missing: ['rightsize-builds'] } } });
    reads.missing = [];
    clock.advance(3_600_000);
    const old = await app.inject({ url: '/readyz' });
    expect(old.statusCode).toBe(503);
    expect(body(old)).toMatchObject({ checks: { data: { ok: false } } });
    reads.down = true;
    expect(body(await app.inject({ url: '/readyz' }))).toMatchObject({ checks: { elasticsearch: { ok: false, message: expect.stringContaining('ECONNREFUSED') } } });
  });

  it('exposes request latency as a histogram per route', async () => {
    const { app } = await setup();
    await app.inject({ url: '/api/v1/jobs/lint' });
    await app.inject({ url: '/api/v1/jobs/lint' });
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toContain('# TYPE rightsize_api_request_duration_seconds histogram');
    expect(text).toMatch(/rightsize_api_request_duration_seconds_bucket\{route="\/api\/v1\/jobs\/\*",le="\+Inf"\} 2/);
    expect(text).toMatch(/rightsize_api_request_duration_seconds_count\{route="\/api\/v1\/jobs\/\*"\} 2/);
  });
});

describe('every endpoint: tokens, bad input, 503 and stale answers', () => {
  /** Every read route with a request that succeeds when authorised. */
  const READS = [
    '/api/v1/jobs/lint',
    '/api/v1/jobs/lint?format=mesos-plugin',
    '/api/v1/jobs/api-tests/builds',
    '/api/v1/builds?job=api-tests',
    '/api/v1/recommendations',
    '/api/v1/labels',
    '/api/v1/labels/plan',
    '/api/v1/cluster',
    '/api/v1/queue',
    '/api/v1/alerts',
    '/api/v1/reports/weekly?week=2026-W48',
  ];
  const weekly: StoredReport = { id: 'weekly:2026-W48', kind: 'weekly', period: '2026-W48', generatedAtMs: T0, figures: {}, html: '', markdown: '', csv: '' };

  it('with read tokens configured, every read route is 401 without a token or with a wrong one, and answers a read or a write token', async () => {
    const { app, reports } = await setup({ tokens: { read: [READ], write: [WRITE] } });
    await reports.put(weekly);
    for (const url of READS) {
      const none = await app.inject({ url });
      expect([none.statusCode, code(none)], url).toEqual([401, 'RS_ERR_API_UNAUTHORIZED']);
      expect(none.headers['www-authenticate'], url).toContain('Bearer');
      const wrong = await app.inject({ url, headers: { authorization: `Bearer ${READ}x` } });
      expect([wrong.statusCode, code(wrong)], url).toEqual([401, 'RS_ERR_API_UNAUTHORIZED']);
      expect(wrong.body, url).not.toContain(READ);
      for (const token of [READ, WRITE]) expect((await app.inject({ url, headers: { authorization: `Bearer ${token}` } })).statusCode, `${url} ${token}`).toBe(200);
    }
  });

  it('both writes are 401 without a token or with a wrong one and 403 with a read token, before the body is looked at', async () => {
    const { app, reads } = await setup({ tokens: { read: [READ], write: [WRITE] } });
    const writes = [
      { method: 'POST' as const, url: '/api/v1/silences', payload: { rule_id: 'x', duration_ms: 60_000, created_by: 'me' } },
      { method: 'DELETE' as const, url: '/api/v1/silences/s1' },
    ];
    for (const w of writes) {
      const none = await app.inject(w);
      expect([none.statusCode, code(none)], w.method).toEqual([401, 'RS_ERR_API_UNAUTHORIZED']);
      const wrong = await app.inject({ ...w, headers: { authorization: `Bearer ${WRITE}x` } });
      expect([wrong.statusCode, code(wrong)], w.method).toEqual([401, 'RS_ERR_API_UNAUTHORIZED']);
      const ro = await app.inject({ ...w, headers: { authorization: `Bearer ${READ}` } });
      expect([ro.statusCode, code(ro)], w.method).toEqual([403, 'RS_ERR_API_FORBIDDEN']);
      // A bad body with a read token is still 403: the token is checked first.
      expect((await app.inject({ ...w, payload: { nonsense: true }, headers: { authorization: `Bearer ${READ}` } })).statusCode, w.method).toBe(403);
    }
    expect(reads.silences).toEqual([]);
  });

  it('an invalid value on any route is 400 RS_ERR_API_BAD_REQUEST naming the field', async () => {
    const { app } = await setup({ tokens: { read: [], write: [WRITE] } });
    const auth = { authorization: `Bearer ${WRITE}` };
    const cases: Array<[{ method?: 'GET' | 'POST' | 'DELETE'; url: string; payload?: Record<string, unknown> }, string]> = [
      [{ url: '/api/v1/jobs/a%01b' }, 'params/job'],
      [{ url: `/api/v1/jobs/${'x'.repeat(1025)}` }, 'params/job'],
      [{ url: '/api/v1/jobs/lint?colour=red' }, 'querystring/colour'],
      [{ url: '/api/v1/jobs/lint?format=xml' }, 'querystring/format'],
      [{ url: '/api/v1/jobs/api-tests/builds?from=yesterday' }, 'querystring/from'],
      [{ url: '/api/v1/jobs/api-tests/builds?format=mesos-plugin' }, 'querystring/format'],
      [{ url: '/api/v1/builds?job=api-tests&limit=0' }, 'querystring/limit'],
      [{ url: '/api/v1/recommendations?limit=501' }, 'querystring/limit'],
      [{ url: '/api/v1/labels/plan?k=0' }, 'querystring/k'],
      [{ url: '/api/v1/labels/plan?k=13' }, 'querystring/k'],
      [{ url: '/api/v1/labels/plan?k=two' }, 'querystring/k'],
      [{ url: '/api/v1/cluster?to=tomorrow' }, 'querystring/to'],
      [{ url: '/api/v1/queue?from=now-1fortnight' }, 'querystring/from'],
      [{ url: '/api/v1/alerts?status=sleeping' }, 'querystring/status'],
      [{ url: '/api/v1/reports/weekly?format=pdf' }, 'querystring/format'],
      [{ url: '/api/v1/reports/weekly?week=2026-47' }, 'querystring/week'],
      [{ method: 'POST', url: '/api/v1/silences', payload: { rule_id: 'x', until_ms: T0 - 1, created_by: 'me' } }, 'body/until_ms'],
      [{ method: 'POST', url: '/api/v1/silences', payload: { rule_id: 'x', until_ms: T0 + 60_000, duration_ms: 60_000, created_by: 'me' } }, 'body/duration_ms'],
      [{ method: 'POST', url: '/api/v1/silences', payload: { rule_id: 'x', duration_ms: 'an hour', created_by: 'me' } }, 'body/duration_ms'],
      [{ method: 'DELETE', url: '/api/v1/silences/not%20an%20id' }, 'params/id'],
    ];
    for (const [req, field] of cases) {
      const r = await app.inject({ ...req, headers: auth });
      expect(r.statusCode, req.url).toBe(400);
      expect(body<{ error: { code: string; message: string } }>(r).error, req.url).toMatchObject({ code: 'RS_ERR_API_BAD_REQUEST', message: expect.stringContaining(field) });
    }
  });

  it('the cached routes answer 503 until the first load', async () => {
    const cache = new RecommendationCache({ load: () => Promise.reject(new Error('connect ECONNREFUSED')) });
    app = buildApp({ cache, reads: new FakeReads(), staleAfterMs: 600_000, version: 'test' });
    for (const url of ['/api/v1/jobs/lint', '/api/v1/jobs/lint?format=mesos-plugin', '/api/v1/recommendations', '/api/v1/labels', '/api/v1/labels/plan']) {
      const r = await app.inject({ url });
      expect([r.statusCode, code(r)], url).toEqual([503, 'RS_ERR_STORE_UNAVAILABLE']);
    }
    // The builds of a job come from the store, not the cache: they answer.
    expect((await app.inject({ url: '/api/v1/jobs/api-tests/builds' })).statusCode).toBe(200);
  });

  it('Elasticsearch down: every store read serves its last answer with its age and the stale mark, else 503; writes are 503', async () => {
    const { app, reads, clock } = await setup({ tokens: { read: [], write: [WRITE] } });
    // Each store read, and another request of the same route that was never answered.
    const others: Record<string, string> = {
      '/api/v1/jobs/api-tests/builds': '/api/v1/jobs/api-tests/builds?from=now-2h',
      '/api/v1/builds?job=api-tests': '/api/v1/builds?job=api-tests&limit=2',
      '/api/v1/cluster': '/api/v1/cluster?from=now-2h',
      '/api/v1/queue': '/api/v1/queue?from=now-2h',
      '/api/v1/alerts': '/api/v1/alerts?status=firing',
    };
    const gets = Object.keys(others);
    const first = new Map<string, unknown>();
    for (const url of gets) {
      const r = await app.inject({ url });
      expect([r.statusCode, r.headers['x-rightsize-data-age-ms'], r.headers['x-rightsize-stale']], url).toEqual([200, '0', undefined]);
      first.set(url, body(r));
    }
    reads.down = true;
    clock.advance(90_000);
    for (const url of gets) {
      const r = await app.inject({ url });
      expect([r.statusCode, r.headers['age'], r.headers['x-rightsize-data-age-ms'], r.headers['x-rightsize-stale']], url).toEqual([200, '90', '90000', 'true']);
      expect(body(r), url).toEqual(first.get(url));
      // Another request (nothing remembered for it) has no answer to fall back on.
      const other = await app.inject({ url: others[url] ?? '' });
      expect([other.statusCode, code(other)], url).toEqual([503, 'RS_ERR_STORE_UNAVAILABLE']);
    }
    const auth = { authorization: `Bearer ${WRITE}` };
    const post = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { rule_id: 'x', duration_ms: 60_000, created_by: 'me' }, headers: auth });
    expect([post.statusCode, code(post)]).toEqual([503, 'RS_ERR_STORE_UNAVAILABLE']);
    const del = await app.inject({ method: 'DELETE', url: '/api/v1/silences/s1', headers: auth });
    expect([del.statusCode, code(del)]).toEqual([503, 'RS_ERR_STORE_UNAVAILABLE']);
  });

  it('Elasticsearch down: every cached route keeps answering, with the data’s age and the stale mark', async () => {
    const { app, clock, cache, store } = await setup();
    store.fail = true;
    clock.advance(45_000);
    expect(await cache.refresh()).toBe(false);
    for (const url of ['/api/v1/jobs/lint', '/api/v1/jobs/lint?format=mesos-plugin', '/api/v1/recommendations', '/api/v1/labels', '/api/v1/labels/plan']) {
      const r = await app.inject({ url });
      expect([r.statusCode, r.headers['age'], r.headers['x-rightsize-data-age-ms'], r.headers['x-rightsize-stale']], url).toEqual([200, '45', '45000', 'true']);
      expect(body<{ data_age_ms: number }>(r).data_age_ms, url).toBe(45_000);
    }
  });

  it('/readyz is 503 naming the cause without a store and before the first load; /healthz stays 200', async () => {
    const cache = new RecommendationCache({ load: () => Promise.resolve({ docs: DOCS, skipped: 0 }) });
    app = buildApp({ cache, staleAfterMs: 600_000, version: 'test' });
    const r = await app.inject({ url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect(body(r)).toMatchObject({
      status: 'not_ready',
      checks: { elasticsearch: { ok: false, message: expect.stringContaining('not given Elasticsearch') }, data: { ok: false, message: 'recommendations not loaded yet' } },
    });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('the UI and cross-origin requests', () => {
  it('serves the UI with a CSP that allows no inline script, and its script from the same origin', async () => {
    const { app } = await setup();
    const r = await app.inject({ url: '/' });
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.body).not.toMatch(/<script>(?!<)/);
    expect(r.body).not.toMatch(/ on[a-z]+="/);
    expect((await app.inject({ url: '/docs' })).statusCode).toBe(200);
  });

  it('sends no CORS headers unless origins are configured', async () => {
    const { app } = await setup();
    const r = await app.inject({ url: '/api/v1/jobs/lint', headers: { origin: 'https://evil.example' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
    const c = await setup({ corsOrigins: ['https://ci.example.com'] });
    const ok = await c.app.inject({ url: '/api/v1/jobs/lint', headers: { origin: 'https://ci.example.com' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://ci.example.com');
    const other = await c.app.inject({ url: '/api/v1/jobs/lint', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
