import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, RecommendationCache, type AllocationBody } from '../../../src/api/index.js';
import type { RecommendationDoc } from '../../../src/model/index.js';
import { Scheduler } from '../../../src/scheduler/index.js';
import { ManualClock, silentLogger } from '../../../src/util/index.js';
import { pollUntil } from '../../support/poll.js';

const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 11, 3, 6, 0, 0);

function rec(key: string, cpu: number, memMiB: number, savingsCoreHours: number, kind: RecommendationDoc['workload']['kind'] = 'jenkins.job'): RecommendationDoc {
  return {
    '@timestamp': new Date(T0 - 3_600_000).toISOString(),
    workload: { kind, key },
    jenkins: { job: { name: key }, label: 'linux-2c' },
    current: { cpu_cores: 2, memory_bytes: 2048 * MiB },
    recommended: { cpu_cores: cpu, memory_bytes: memMiB * MiB, lower: { cpu_cores: cpu * 0.8 }, upper: { cpu_cores: cpu * 1.3 } },
    basis: { builds: 24, window_days: 30 },
    confidence: 'high',
    reasons: ['over_provisioned'],
    savings: { cpu_core_hours_per_week: savingsCoreHours, memory_gib_hours_per_week: 1 },
    severity: 'critical',
  };
}

const DOCS = [rec('team-a/api-tests', 0.7, 512, 40), rec('lint', 0.3, 640, 2), rec('team/repo/PR-*', 1.2, 1536, 9), rec('linux-2c', 0.8, 1024, 50, 'jenkins.label'), rec('big spender ü', 4, 8192, 100)];

class Store {
  docs: RecommendationDoc[] = DOCS;
  skipped = 0;
  loads = 0;
  failWith: Error | undefined;
  readonly load = (): Promise<{ docs: RecommendationDoc[]; skipped: number }> => {
    this.loads++;
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve({ docs: this.docs, skipped: this.skipped });
  };
}

let app: ReturnType<typeof buildApp> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function setup() {
  const clock = new ManualClock(T0);
  const store = new Store();
  const cache = new RecommendationCache({ load: store.load, clock });
  app = buildApp({ cache, staleAfterMs: 600_000, version: 'test' });
  return { clock, store, cache, app };
}
const json = <T>(r: { body: string }): T => JSON.parse(r.body) as T;

describe('GET /api/v1/jobs/<job>', () => {
  it('answers what the job should get, from the stored recommendation, with the age of the data', async () => {
    const { app, cache, clock } = setup();
    await cache.refresh();
    clock.advance(5_000);
    const r = await app.inject({ url: '/api/v1/jobs/team-a/api-tests' });
    expect(r.statusCode).toBe(200);
    expect(json<AllocationBody>(r)).toEqual({
      job: 'team-a/api-tests',
      workload: { kind: 'jenkins.job', key: 'team-a/api-tests' },
      cpu_cores: 0.7,
      memory_bytes: 512 * MiB,
      lower: { cpu_cores: 0.7 * 0.8 },
      upper: { cpu_cores: 0.7 * 1.3 },
      current: { cpu_cores: 2, memory_bytes: 2048 * MiB },
      label: 'linux-2c',
      confidence: 'high',
      severity: 'critical',
      reasons: ['over_provisioned'],
      builds: 24,
      savings: { cpu_core_hours_per_week: 40, memory_gib_hours_per_week: 1 },
      recommended_at: new Date(T0 - 3_600_000).toISOString(),
      data_age_ms: 5_000,
    });
    // A trailing slash and a URL-encoded name (space, non-ASCII) find the same jobs.
    expect(json<AllocationBody>(await app.inject({ url: '/api/v1/jobs/team-a/api-tests/' })).cpu_cores).toBe(0.7);
    expect(json<AllocationBody>(await app.inject({ url: `/api/v1/jobs/${encodeURIComponent('big spender ü')}` })).cpu_cores).toBe(4);
  });

  it('a pull-request job gets the …/PR-* workload it is sized as; a label key is not a job', async () => {
    const { app, cache } = setup();
    await cache.refresh();
    const pr = json<AllocationBody>(await app.inject({ url: '/api/v1/jobs/team/repo/PR-123' }));
    expect(pr).toMatchObject({ job: 'team/repo/PR-123', workload: { kind: 'jenkins.job', key: 'team/repo/PR-*' }, cpu_cores: 1.2 });
    expect((await app.inject({ url: '/api/v1/jobs/linux-2c' })).statusCode).toBe(404);
  });

  it('404 for a job without a recommendation, 400 for a hostile name, 503 before the first load', async () => {
    const { app, cache } = setup();
    const early = await app.inject({ url: '/api/v1/jobs/lint' });
    expect(early.statusCode).toBe(503);
    expect(json<{ error: { code: string } }>(early).error.code).toBe('RS_ERR_STORE_UNAVAILABLE');
    await cache.refresh();
    const missing = await app.inject({ url: '/api/v1/jobs/nobody/knows' });
    expect(missing.statusCode).toBe(404);
    expect(json<{ error: { code: string; message: string } }>(missing).error).toMatchObject({ code: 'RS_ERR_API_NOT_FOUND', message: expect.stringContaining('nobody/knows') });
    for (const url of ['/api/v1/jobs/a%00b', `/api/v1/jobs/${'x'.repeat(1025)}`, '/api/v1/jobs/']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(400);
      expect(json<{ error: { code: string } }>(r).error.code, url).toBe('RS_ERR_API_BAD_REQUEST');
    }
  });
});

describe('GET /api/v1/recommendations', () => {
  it('lists one kind, biggest weekly savings first, with paging', async () => {
    const { app, cache } = setup();
    await cache.refresh();
    const all = json<{ total: number; items: RecommendationDoc[] }>(await app.inject({ url: '/api/v1/recommendations' }));
    expect(all.total).toBe(4);
    expect(all.items.map((d) => d.workload.key)).toEqual(['big spender ü', 'team-a/api-tests', 'team/repo/PR-*', 'lint']);
    const page = json<{ total: number; offset: number; items: RecommendationDoc[] }>(await app.inject({ url: '/api/v1/recommendations?limit=2&offset=1' }));
    expect(page).toMatchObject({ total: 4, offset: 1 });
    expect(page.items.map((d) => d.workload.key)).toEqual(['team-a/api-tests', 'team/repo/PR-*']);
    const labels = json<{ items: RecommendationDoc[] }>(await app.inject({ url: '/api/v1/recommendations?kind=jenkins.label' }));
    expect(labels.items.map((d) => d.workload.key)).toEqual(['linux-2c']);
  });

  it('refuses an unknown kind, a limit out of range and unknown parameters with RS_ERR_API_BAD_REQUEST', async () => {
    const { app, cache } = setup();
    await cache.refresh();
    for (const [q, field] of [['kind=jenkins.node', 'kind'], ['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=abc', 'limit'], ['offset=-1', 'offset'], ['sort=size', 'sort'], ['order=up', 'order'], ['min_savings=-1', 'min_savings'], ['severity=bad', 'severity'], ['colour=red', 'colour']] as const) {
      const r = await app.inject({ url: `/api/v1/recommendations?${q}` });
      expect(r.statusCode, q).toBe(400);
      expect(json<{ error: { code: string } }>(r).error.code, q).toBe('RS_ERR_API_BAD_REQUEST');
      expect(json<{ error: { message: string } }>(r).error.message, q).toContain(`querystring/${field}`);
    }
  });
});

describe('the recommendation cache behind the API', () => {
  it('a failed reload keeps serving the previous data; /healthz and /metrics tell', async () => {
    const { app, cache, store, clock } = setup();
    expect(await cache.refresh()).toBe(true);
    store.failWith = new Error('connect ECONNREFUSED 127.0.0.1:9200');
    clock.advance(30_000);
    expect(await cache.refresh()).toBe(false);
    expect((await app.inject({ url: '/api/v1/jobs/lint' })).statusCode).toBe(200);
    const health = json<Record<string, unknown>>(await app.inject({ url: '/healthz' }));
    expect(health).toMatchObject({ status: 'ok', data_age_ms: 30_000, refreshes: 1, refresh_failures: 1, recommendations: { 'jenkins.job': 4, 'jenkins.label': 1 } });
    expect(health['last_error']).toMatchObject({ code: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:9200' });
    clock.advance(600_000);
    const stale = await app.inject({ url: '/healthz' });
    expect(stale.statusCode).toBe(200);
    expect(json<{ status: string }>(stale).status).toBe('stale');
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('rightsize_api_recommendations{kind="jenkins.job"} 4');
    expect(metrics).toContain('rightsize_api_cache_refresh_failures_total 1');
    expect(metrics).toContain('rightsize_api_data_age_seconds 630');
    expect(metrics).toMatch(/rightsize_api_requests_total\{route="\/api\/v1\/jobs\/\*",status="200"\} 1/);
  });

  it('/healthz is 200 `unavailable` until the first load (the process is up; /readyz is what fails); concurrent reloads share one read; skipped documents are counted', async () => {
    const { app, cache, store } = setup();
    const before = await app.inject({ url: '/healthz' });
    expect(before.statusCode).toBe(200);
    expect(json<{ status: string }>(before).status).toBe('unavailable');
    store.skipped = 2;
    await Promise.all([cache.refresh(), cache.refresh(), cache.refresh()]);
    expect(store.loads).toBe(1);
    expect(cache.status()).toMatchObject({ refreshes: 1, skipped: 2 });
    expect((await app.inject({ url: '/metrics' })).body).toContain('rightsize_api_cache_skipped_documents 2');
  });

  it('the reload runs as a Scheduler job on its interval, and stopping the scheduler stops it', async () => {
    const store = new Store();
    const cache = new RecommendationCache({ load: store.load });
    const scheduler = new Scheduler({ logger: silentLogger() });
    scheduler.add(cache.reloadJob(20));
    scheduler.start();
    await pollUntil('3 loads', 5_000, () => Promise.resolve(store.loads >= 3 ? true : undefined), 10);
    await scheduler.stop();
    const after = store.loads;
    await new Promise((r) => setTimeout(r, 60));
    expect(store.loads).toBe(after);
    expect(scheduler.stats()[0]?.runs).toBeGreaterThanOrEqual(3);
    expect(cache.list('jenkins.job')).toHaveLength(4);
  });

  it('a failed reload fails its scheduler run (counted) and keeps the data', async () => {
    const store = new Store();
    const cache = new RecommendationCache({ load: store.load });
    await cache.refresh();
    store.failWith = new Error('connect ECONNREFUSED');
    await expect(cache.reloadJob(1000).run(new AbortController().signal)).rejects.toThrow(/ECONNREFUSED/);
    expect(cache.lastRefreshFailed()).toBe(true);
    expect(cache.list('jenkins.job')).toHaveLength(4);
  });

  it('unknown routes answer a JSON 404', async () => {
    const { app } = setup();
    const r = await app.inject({ url: '/nope' });
    expect(r.statusCode).toBe(404);
    expect(json<{ error: { code: string } }>(r).error.code).toBe('RS_ERR_API_NOT_FOUND');
  });
});

describe('GET /api/openapi.json', () => {
  it('describes every route the app serves, with the schemas the answers are serialized with', async () => {
    const { app, cache } = setup();
    await cache.refresh();
    const doc = json<{ openapi: string; info: { version: string }; paths: Record<string, { get: { responses: Record<string, { content?: Record<string, { schema: { anyOf?: Array<{ properties?: Record<string, unknown>; required?: string[] }> } }> }> } }> }>(
      await app.inject({ url: '/api/openapi.json' }),
    );
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('test');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/jobs/{job}', '/api/v1/recommendations', '/api/v1/labels', '/api/v1/labels/plan', '/api/v1/builds', '/api/v1/cluster', '/api/v1/queue', '/api/v1/alerts', '/api/v1/silences', '/api/v1/silences/{id}', '/api/v1/reports/weekly', '/healthz', '/readyz', '/metrics']));
    for (const path of ['/api/v1/jobs/{job}', '/api/v1/recommendations', '/api/v1/labels', '/api/v1/labels/plan', '/healthz', '/metrics']) {
      const r = await app.inject({ url: path.replace('{job}', 'lint') });
      expect(r.statusCode, path).toBe(200);
    }
    // Every field of a real answer is declared, and every declared required field is there.
    const schema = doc.paths['/api/v1/jobs/{job}']!.get.responses['200']!.content!['application/json']!.schema.anyOf![0]!;
    const answer = json<Record<string, unknown>>(await app.inject({ url: '/api/v1/jobs/team-a/api-tests' }));
    expect(Object.keys(answer).filter((k) => !(k in (schema.properties ?? {})))).toEqual([]);
    expect((schema.required ?? []).filter((k) => !(k in answer))).toEqual([]);
    expect(schema.required).toEqual(expect.arrayContaining(['job', 'workload', 'current', 'confidence', 'reasons', 'recommended_at', 'data_age_ms']));
  });
});

describe('the list gate', () => {
  it('beyond maxConcurrentLists + maxQueuedLists a list request gets a coded 503 with Retry-After; a job lookup is not gated', async () => {
    const cache = new RecommendationCache({ load: new Store().load });
    await cache.refresh();
    app = buildApp({ cache, staleAfterMs: 600_000, version: 'test', limits: { maxConcurrentLists: 1, maxQueuedLists: 1 } });
    // Three at once: one answered, one waits its turn (the place passes on in a later turn), one refused.
    const [a, b, c, lookup] = await Promise.all([
      app.inject({ url: '/api/v1/recommendations' }),
      app.inject({ url: '/api/v1/labels' }),
      app.inject({ url: '/api/v1/labels/plan' }),
      app.inject({ url: '/api/v1/jobs/lint' }),
    ]);
    expect([a.statusCode, b.statusCode, c.statusCode, lookup.statusCode]).toEqual([200, 200, 503, 200]);
    expect(c.headers['retry-after']).toBe('1');
    expect(JSON.parse(c.body)).toEqual({ error: { code: 'RS_ERR_API_BUSY', message: expect.stringContaining('1 list requests are waiting') } });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('rightsize_api_list_requests_refused_total 1\n');
    expect(metrics).toContain('rightsize_api_list_requests_queued 0\n');
    // Once the others are answered the gate is free again.
    expect((await app.inject({ url: '/api/v1/labels/plan' })).statusCode).toBe(200);
  });
});
