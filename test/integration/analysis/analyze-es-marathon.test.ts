import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/analysis/index.js';
import { analyzeFromStore, type AnalyzeStoreResult } from '../../../src/analysis/service/index.js';
import type { ContainerDoc, RecommendationDoc } from '../../../src/model/index.js';
import { createEsClient, installTemplates } from '../../../src/store/index.js';
import { runCli } from '../../support/cli.js';
import { testEsUrl } from '../../support/env.js';
import { bulkCreate, dropPrefix, uniquePrefix } from '../../support/es.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const HOUR = 3_600_000;
const prefix = uniquePrefix('marathon');
let client: Client;

// now = Wednesday 18 Nov 2026 12:00 UTC; the app's readings lie in the 6 hours before (06:00–11:59).
const nowMs = Date.UTC(2026, 10, 18, 12);
const windowStart = (i: number): number => nowMs - (6 - i) * HOUR; // i = 0 oldest … 5 newest

function reading(o: {
  dataset?: ContainerDoc['event']['dataset'];
  container: string;
  atMs: number;
  app?: string;
  cpu?: number;
  wsMiB: number;
  request?: { cpu: number; memBytes: number };
}): ContainerDoc {
  return {
    '@timestamp': new Date(o.atMs).toISOString(),
    event: { dataset: o.dataset ?? 'mesos.executor', module: 'mesos' },
    host: { name: 'agent-1' },
    service: { address: o.dataset === 'docker.container' ? 'unix:///var/run/docker.sock' : 'http://agent-1:5051/' },
    container: { id: o.container, runtime: o.dataset === 'docker.container' ? 'docker' : 'mesos' },
    mesos: { framework: { id: 'fw-marathon' }, executor: { id: `${o.container}-exec` }, task: { id: `${o.container}-task` } },
    ...(o.app !== undefined ? { marathon: { app: { id: o.app } } } : {}),
    ...(o.request !== undefined ? { request: { cpu_cores: o.request.cpu, memory_bytes: o.request.memBytes } } : {}),
    ...(o.cpu !== undefined ? { cpu: { cores: o.cpu, interval_ms: 20 * 60_000, core_seconds: o.cpu * 1200 } } : {}),
    memory: { working_set_bytes: o.wsMiB * MiB },
  };
}

/** Per window (oldest first): every cpu.cores reading of /team/web, and the largest working set (instance 1). */
const CPU = [0.5, 0.6, 0.7, 0.6, 0.5, 0.7];
const PEAK_MIB = [600, 650, 700, 680, 640, 620];
const OLD_REQUEST = { cpu: 2, memBytes: 2 * GiB };
const NEW_REQUEST = { cpu: 1, memBytes: 1 * GiB }; // the app was scaled down before window 3

const docs: ContainerDoc[] = [];
for (let i = 0; i < 6; i++) {
  const request = i < 3 ? OLD_REQUEST : NEW_REQUEST;
  for (const [n, minute] of [10, 30, 50].entries()) {
    const atMs = windowStart(i) + minute * 60_000;
    // the very first reading of each instance has no CPU rate yet
    const cpu = i === 0 && n === 0 ? undefined : CPU[i]!;
    docs.push(reading({ container: 'web-1', atMs, app: '/team/web', ...(cpu !== undefined ? { cpu } : {}), wsMiB: n === 1 ? PEAK_MIB[i]! : 500, request }));
    docs.push(reading({ container: 'web-2', atMs, app: '/team/web', ...(cpu !== undefined ? { cpu } : {}), wsMiB: 400, request }));
  }
}
// Not counted: the Docker engine's reading of the same container (its numbers would otherwise win),
// a Mesos executor without an app (a Jenkins build), and a reading after `now`.
docs.push(reading({ dataset: 'docker.container', container: 'web-1-docker', atMs: windowStart(5) + 55 * 60_000, app: '/team/web', cpu: 3, wsMiB: 3000, request: { cpu: 8, memBytes: 8 * GiB } }));
docs.push(reading({ container: 'build-1', atMs: windowStart(5) + 20 * 60_000, cpu: 4, wsMiB: 5000, request: { cpu: 4, memBytes: 8 * GiB } }));
docs.push(reading({ container: 'web-1', atMs: nowMs + 10 * 60_000, app: '/team/web', cpu: 5, wsMiB: 4000, request: NEW_REQUEST }));
// A second app with only 3 windows: too little evidence.
for (let i = 3; i < 6; i++) docs.push(reading({ container: 'db-1', atMs: windowStart(i) + 5 * 60_000, app: '/db', cpu: 0.1, wsMiB: 100, request: { cpu: 0.5, memBytes: 512 * MiB } }));

let result: AnalyzeStoreResult;
const byKey = (list: readonly RecommendationDoc[]) => new Map(list.map((d) => [d.workload.key, d]));

beforeAll(async () => {
  client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 30_000 });
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const r = await bulkCreate(client, prefix, docs.map((doc) => ({ kind: 'container' as const, doc })));
  expect(r.errors).toBe(false);
  result = await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs, runMs: nowMs + 1000 });
});

afterAll(async () => {
  await dropPrefix(client, prefix);
  await client.close();
});

describe('analyzeFromStore: Marathon apps from mesos.executor readings', () => {
  it('recommends /team/web per instance from 6 hourly windows (hand-computed)', () => {
    expect(result.stats.apps).toBe(2);
    expect(result.stats.appWindows).toBe(6 + 3);
    const web = byKey(result.apps).get('/team/web')!;
    expect(web.workload).toEqual({ kind: 'marathon.app', key: '/team/web' });
    // the newest reading's request (scaled down), not the older 2 cores / 2 GiB nor Docker's 8
    expect(web.current).toEqual({ cpu_cores: 1, memory_bytes: 1 * GiB });
    expect(web.basis.builds).toBe(6);
    // CPU: window p95s [0.5 0.6 0.7 0.6 0.5 0.7] (oldest first); the 0.7s weigh 1 + 2^(−3/10) of
    // Σ 2^(−i/10), i = 0..5 = 5.08, so F(0.6) = 0.64 < 0.95 → Q 0.7 → × 1.15 = 0.805 → 0.9
    expect(web.recommended.cpu_cores).toBe(0.9);
    // memory: peaks [600 650 700 680 640 620] MiB → Q = 700 MiB → max(840, 956) = 956 → 1024 MiB
    expect(web.recommended.memory_bytes).toBe(1 * GiB);
    expect(web.confidence).toBe('low');
    expect(web.reasons).toEqual([]);
    // 6 windows in less than a day → 42 a week × 1 h × (1 − 0.9) cores
    expect(web.savings!.cpu_core_hours_per_week).toBeCloseTo(4.2, 6);
  });

  it('an app with 3 windows keeps its reservation (few_builds)', () => {
    const db = byKey(result.apps).get('/db')!;
    expect(db.basis.builds).toBe(3);
    expect(db.reasons).toContain('few_builds');
    expect(db.recommended).toMatchObject({ cpu_cores: 0.5, memory_bytes: 512 * MiB });
  });

  it('stores the latest at _id marathon.app:<app id> and one history document each', async () => {
    expect(result.stats.appWrite).toMatchObject({ written: 2, history: 2, failed: 0 });
    const got = await client.get<RecommendationDoc>({ index: `${prefix}-recommendations`, id: 'marathon.app:/team/web' });
    expect(got._source!.recommended).toMatchObject({ cpu_cores: 0.9, memory_bytes: 1 * GiB });
    await client.indices.refresh({ index: `${prefix}-recommendations-history-*` });
    const history = await client.count({ index: `${prefix}-recommendations-history-*`, query: { term: { 'workload.kind': 'marathon.app' } } });
    expect(history.count).toBe(2);
  });

  it('a second run reads its previous recommendation and leaves the latest unchanged', async () => {
    const again = await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs, runMs: nowMs + 2000 });
    expect(byKey(again.apps).get('/team/web')!.recommended).toEqual(byKey(result.apps).get('/team/web')!.recommended);
    expect(again.stats.appWrite).toMatchObject({ written: 0, unchanged: 2, history: 2 });
  });

  it('rightsize analyze --dry-run lists the apps in its table beside the jobs', async () => {
    const cfg = join(mkdtempSync(join(tmpdir(), 'rs-analyze-marathon-')), 'rightsize.yaml');
    writeFileSync(cfg, `elasticsearch:\n  url: ${testEsUrl()}\n  indexPrefix: ${prefix}\n  replicas: 0\n`);
    const run = await runCli(['analyze', '--config', cfg, '--now', String(nowMs), '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.err).toContain('Marathon apps: 2 app(s) from 9 hourly window(s) of mesos.executor readings');
    const row = run.out.split('\n').find((l) => l.startsWith('/team/web'))!;
    // workload, kind, cpu_now, cpu_rec, mem_now_gib, mem_rec_gib, save_core_h_wk, …, builds
    expect(row.split(/\s+/).slice(0, 7)).toEqual(['/team/web', 'marathon.app', '1', '0.9', '1', '1', '4.2']);
    expect(run.out).toMatch(/^\/db\s+marathon\.app/m);
  });
});
