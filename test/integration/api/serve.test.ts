import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, generateTrace } from '../../../src/analysis/index.js';
import { analyzeFromStore } from '../../../src/analysis/service/index.js';
import type { RecommendationDoc } from '../../../src/model/index.js';
import { installTemplates } from '../../../src/store/index.js';
import { REPO_ROOT, testEsUrl } from '../../support/env.js';
import { bulkCreate, dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';
import { pollUntil } from '../../support/poll.js';

/**
 * `rightsize serve` as an operator runs it (the built CLI in its own process) on the real
 * Elasticsearch: recommendations written by the Elasticsearch analysis path are answered per
 * job, a recommendation changed in the store shows after a reload, SIGTERM stops it cleanly.
 */

const client = testEsClient();
const prefix = uniquePrefix('serve');
const dir = mkdtempSync(join(tmpdir(), 'rs-serve-'));
const docs = generateTrace({ jobs: 6, buildsPerJob: 14, seed: 5, days: 14 });
const nowMs = Math.max(...docs.map((d) => d.build.end));
let stored: RecommendationDoc[];
let proc: ChildProcess | undefined;
let base = '';
const WRITE_TOKEN = 'it-write-token-0123456789';
let out = '';
let err = '';

async function get(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; text: string }> {
  const r = await fetch(base + path, init);
  const text = await r.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: r.status, body, text };
}

beforeAll(async () => {
  const cli = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npm test runs scripts/ensure-deps.sh, which builds)`);
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  expect((await bulkCreate(client, prefix, docs.map((doc) => ({ kind: 'build' as const, doc })))).errors).toBe(false);
  stored = (await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs })).jobs;
  expect(stored.length).toBe(6);
  const config = join(dir, 'rightsize.yaml');
  writeFileSync(config, `elasticsearch:\n  url: ${testEsUrl()}\n  indexPrefix: ${prefix}\n  replicas: 0\napi:\n  port: 0\n  refreshIntervalMs: 1000\nlog:\n  level: warn\n`);
  proc = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rightsize.js'), 'serve', '--config', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RIGHTSIZE_API_WRITE_TOKEN: WRITE_TOKEN } });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  base = await pollUntil('rightsize serve to print its address', 30_000, () => Promise.resolve(/listening on (http:\/\/\S+)/.exec(out)?.[1]), 100).catch((e: Error) => {
    throw new Error(`${e.message}; stdout: ${out}; stderr: ${err}`);
  });
  // /healthz answers 200 at once; `ok` once the first reload (in the worker) has loaded the recommendations.
  await pollUntil('/healthz ok', 30_000, async () => ((await get('/healthz')).body as { status?: string } | undefined)?.status === 'ok' || undefined, 200);
});

afterAll(async () => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  await dropPrefix(client, prefix);
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rightsize serve on the real Elasticsearch', () => {
  it('answers every job with its stored recommendation, and lists them by weekly savings', async () => {
    for (const d of stored) {
      const r = await get(`/api/v1/jobs/${d.workload.key.split('/').map(encodeURIComponent).join('/')}`);
      expect(r.status, d.workload.key).toBe(200);
      expect(r.body).toMatchObject({
        job: d.workload.key,
        workload: { kind: 'jenkins.job', key: d.workload.key },
        cpu_cores: d.recommended.cpu_cores,
        memory_bytes: d.recommended.memory_bytes,
        current: d.current,
        confidence: d.confidence,
        builds: d.basis.builds,
        recommended_at: d['@timestamp'],
      });
    }
    const list = (await get('/api/v1/recommendations')).body as { total: number; items: RecommendationDoc[] };
    expect(list.total).toBe(6);
    const savings = list.items.map((d) => d.savings?.cpu_core_hours_per_week ?? 0);
    expect(savings).toEqual([...savings].sort((a, b) => b - a));
    const missing = await get('/api/v1/jobs/no/such/job');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'RS_ERR_API_NOT_FOUND' } });
    const metrics = await get('/metrics');
    expect(metrics.text).toContain('rightsize_api_recommendations{kind="jenkins.job"} 6');
    // The snapshot was read and packed in the reload worker (api.reloadInWorker, default).
    expect(metrics.text).toContain('rightsize_api_cache_reload_in_worker 1');
    expect(metrics.text).toMatch(/rightsize_api_cache_snapshot_bytes [1-9]\d*/);
  });

  it('shows a recommendation changed in Elasticsearch after the next reload', async () => {
    const d = stored[0]!;
    const changed: RecommendationDoc = { ...d, recommended: { ...d.recommended, cpu_cores: 7.5 } };
    await client.index({ index: `${prefix}-recommendations`, id: d.workload.key, document: changed, refresh: true });
    const path = `/api/v1/jobs/${d.workload.key.split('/').map(encodeURIComponent).join('/')}`;
    const body = await pollUntil('the changed recommendation', 15_000, async () => {
      const r = await get(path);
      return (r.body as { cpu_cores?: number }).cpu_cores === 7.5 ? r.body : undefined;
    }, 200);
    expect(body).toMatchObject({ job: d.workload.key, cpu_cores: 7.5 });
  });

  it('reads builds, cluster, queue and readiness from Elasticsearch; stores and expires a silence with the write token', async () => {
    const job = docs[0]!.jenkins.job.name;
    const mine = docs.filter((d) => d.jenkins.job.name === job);
    const from = Math.min(...mine.map((d) => d.build.end)) - 1;
    const builds = await get(`/api/v1/jobs/${encodeURIComponent(job)}/builds?from=${from}&to=${nowMs + 1}&limit=1000`);
    expect(builds.status, builds.text).toBe(200);
    const rows = (builds.body as { builds: Array<{ number: number; end_ms: number }> }).builds;
    expect(rows.map((b) => b.number).sort((a, b) => a - b)).toEqual(mine.map((d) => d.jenkins.build.number).sort((a, b) => a - b));
    expect(rows.map((b) => b.end_ms)).toEqual([...rows.map((b) => b.end_ms)].sort((a, b) => b - a));
    expect((await get(`/api/v1/cluster?from=${nowMs - 86_400_000}&to=${nowMs}`)).status).toBe(200);
    const queue = await get(`/api/v1/queue?from=${nowMs - 14 * 86_400_000}&to=${nowMs}`);
    expect(queue.status, queue.text).toBe(200);
    const ready = (await get('/readyz')).body as { checks: { elasticsearch: { ok: boolean }; templates: { ok: boolean; missing: string[] } } };
    expect(ready.checks.elasticsearch.ok).toBe(true);
    expect(ready.checks.templates).toEqual({ ok: true, missing: [] });
    const json = { 'content-type': 'application/json' };
    const payload = JSON.stringify({ rule_id: 'cpu-allocation', group: 'linux', duration_ms: 3_600_000, created_by: 'it' });
    expect((await get('/api/v1/silences', { method: 'POST', headers: json, body: payload })).status).toBe(401);
    const created = await get('/api/v1/silences', { method: 'POST', headers: { ...json, authorization: `Bearer ${WRITE_TOKEN}` }, body: payload });
    expect(created.status, created.text).toBe(201);
    const id = (created.body as { id: string }).id;
    const listed = (await get('/api/v1/alerts')).body as { silences: Array<{ id: string }> };
    expect(listed.silences.map((x) => x.id)).toContain(id);
    expect((await get(`/api/v1/silences/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${WRITE_TOKEN}` } })).status).toBe(204);
    expect(((await get('/api/v1/alerts')).body as { silences: Array<{ id: string }> }).silences.map((x) => x.id)).not.toContain(id);
    expect(out + err).not.toContain(WRITE_TOKEN);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => proc!.once('exit', (code) => resolve(code)));
    proc!.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(code, `stderr: ${err}`).toBe(0);
  });
});
