import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WasteDoc } from '../../../src/analysis/waste/index.js';
import { ECS_VERSION, type BuildDoc, type RecommendationDoc } from '../../../src/model/index.js';
import { createEsClient, installTemplates } from '../../../src/store/index.js';
import { wasteId } from '../../../src/store/queries/index.js';
import { runCli } from '../../support/cli.js';
import { testEsUrl } from '../../support/env.js';
import { bulkCreate, dropPrefix, uniquePrefix } from '../../support/es.js';

const GiB = 1024 ** 3;
const HOUR = 3_600_000;
const prefix = uniquePrefix('waste');
const dir = mkdtempSync(join(tmpdir(), 'rs-analyze-waste-'));
let client: Client;

/** One build of 1 h starting at `startMs`, with the given request and usage (1 h each). */
function buildDoc(job: string, number: number, startMs: number, label: string, r: { cpu: number; memGib: number; coreSeconds: number; avgGib: number }, result = 'SUCCESS'): BuildDoc {
  return {
    '@timestamp': new Date(startMs + HOUR).toISOString(),
    jenkins: { url: 'http://jenkins', job: { name: job }, build: { number }, result, label },
    build: { start: startMs, end: startMs + HOUR, duration_ms: HOUR },
    request: { cpu_cores: r.cpu, memory_bytes: r.memGib * GiB },
    usage: {
      cpu: { avg_cores: r.coreSeconds / 3600, p50_cores: 0.4, p95_cores: 0.6, max_cores: 0.8, core_seconds: r.coreSeconds, throttled_ratio: 0 },
      memory: { avg_bytes: r.avgGib * GiB, peak_bytes: 1.5 * GiB },
      sample_count: 360,
      coverage: 1,
      shared_agent: false,
    },
    outcome: { oom_killed: false },
  };
}

// `now` is Wednesday 18 Nov 2026 12:00 UTC; the 30-day window starts on Monday 19 Oct (a week start).
const nowMs = Date.UTC(2026, 10, 18, 12);
const big = { cpu: 4, memGib: 8, coreSeconds: 3600, avgGib: 2 }; // per build: 4 − 1 = 3 core-h, 8 − 2 = 6 GiB-h wasted
const small = { cpu: 2, memGib: 4, coreSeconds: 1800, avgGib: 1 }; // per build: 2 − 0.5 = 1.5 core-h, 4 − 1 = 3 GiB-h wasted
const docs: BuildDoc[] = [
  // The job named `linux` runs on label `big`; jobs `app` and `lib` run on label `linux`.
  ...Array.from({ length: 6 }, (_, i) => buildDoc('linux', i + 1, Date.UTC(2026, 10, 10 + i, 8), 'big', big)), // week 2026-11-09
  ...Array.from({ length: 6 }, (_, i) => buildDoc('app', i + 1, Date.UTC(2026, 10, 16, 8 + i), 'linux', small)), // week 2026-11-16
  buildDoc('lib', 1, Date.UTC(2026, 10, 12, 8), 'linux', small), // week 2026-11-09
  buildDoc('lib', 2, Date.UTC(2026, 10, 12, 10), 'linux', small), // week 2026-11-09
  buildDoc('lib', 3, Date.UTC(2026, 10, 17, 8), 'linux', small, 'ABORTED'), // week 2026-11-16: reserved too, so it counts as waste
  buildDoc('app', 0, Date.UTC(2026, 9, 10, 8), 'linux', small), // 10 Oct: before the window's first week, not counted
];

const cfg = join(dir, 'rightsize.yaml');

beforeAll(async () => {
  client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 30_000 });
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const r = await bulkCreate(client, prefix, docs.map((doc) => ({ kind: 'build' as const, doc })));
  expect(r.errors).toBe(false);
  writeFileSync(
    cfg,
    `elasticsearch:\n  url: ${testEsUrl()}\n  indexPrefix: ${prefix}\n  replicas: 0\nanalysis:\n  prices: { perCoreHour: 0.1, perGibHour: 0.01, currency: EUR }\n`,
  );
});

afterAll(async () => {
  await dropPrefix(client, prefix);
  await client.close();
});

/** The expected rows, hand-computed from the per-build figures above. */
const expected: Array<[scope: string, key: string, week: string, builds: number, cpu: [number, number, number], mem: [number, number, number]]> = [
  ['job', 'linux', '2026-11-09', 6, [24, 6, 18], [48, 12, 36]],
  ['job', 'lib', '2026-11-09', 2, [4, 1, 3], [8, 2, 6]],
  ['label', 'big', '2026-11-09', 6, [24, 6, 18], [48, 12, 36]],
  ['label', 'linux', '2026-11-09', 2, [4, 1, 3], [8, 2, 6]],
  ['cluster', 'cluster', '2026-11-09', 8, [28, 7, 21], [56, 14, 42]],
  ['job', 'app', '2026-11-16', 6, [12, 3, 9], [24, 6, 18]],
  ['job', 'lib', '2026-11-16', 1, [2, 0.5, 1.5], [4, 1, 3]],
  ['label', 'linux', '2026-11-16', 7, [14, 3.5, 10.5], [28, 7, 21]],
  ['cluster', 'cluster', '2026-11-16', 7, [14, 3.5, 10.5], [28, 7, 21]],
];
const kindOf: Record<string, string> = { job: 'jenkins.job', label: 'jenkins.label', cluster: 'cluster' };

describe('analyze on the real Elasticsearch writes weekly waste and label recommendations', () => {
  it('stores one waste document per job, label and cluster per week (hand-computed sums, cost from analysis.prices) and the label documents beside the jobs', async () => {
    const run = await runCli(['analyze', '--config', cfg, '--now', String(nowMs), '--format', 'json']);
    expect(run.err).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.err).toContain('analyzed 3 job(s), 14 build(s)');
    expect(run.err).toContain('waste: 9 weekly row(s) from 15 build(s) since 2026-10-19; 9 written; labels: 2 written, 0 unchanged');

    await client.indices.refresh({ index: `${prefix}-*` });
    expect((await client.count({ index: `${prefix}-waste-*` })).count).toBe(9);
    const got = await client.mget<WasteDoc>({ index: `${prefix}-waste-2026.11`, ids: expected.map(([scope, key, week]) => wasteId(scope, key, week)) });
    expected.forEach(([scope, key, week, builds, cpu, mem], i) => {
      const d = got.docs[i]!;
      expect('found' in d && d.found).toBe(true);
      const source = (d as { _source: WasteDoc })._source;
      const cost = { cpu: Math.round(cpu[2] * 0.1 * 1000) / 1000, memory: Math.round(mem[2] * 0.01 * 1000) / 1000 };
      expect(source).toEqual({
        '@timestamp': `${week}T00:00:00.000Z`,
        waste: { scope, cpu_core_hours: cpu[2], memory_gib_hours: mem[2] },
        workload: { kind: kindOf[scope], key },
        week,
        builds,
        reserved: { cpu_core_hours: cpu[0], memory_gib_hours: mem[0] },
        used: { cpu_core_hours: cpu[1], memory_gib_hours: mem[1] },
        cost: { ...cost, total: Math.round((cost.cpu + cost.memory) * 1000) / 1000, currency: 'EUR' },
        ecs: { version: ECS_VERSION },
        event: { module: 'rightsize' },
      });
    });
    // The mapping is the template's.
    const m = await client.indices.getFieldMapping({ index: `${prefix}-waste-2026.11`, fields: ['waste.cpu_core_hours', 'week', 'workload.key'] });
    const fields = Object.values(m)[0]!.mappings;
    expect(Object.values(fields['waste.cpu_core_hours']!.mapping)[0]).toMatchObject({ type: 'double' });
    expect(Object.values(fields['week']!.mapping)[0]).toMatchObject({ type: 'date' });
    expect(Object.values(fields['workload.key']!.mapping)[0]).toMatchObject({ type: 'keyword' });

    // Latest recommendations: three jobs at their bare keys, two labels at `jenkins.label:<label>`;
    // the job named `linux` and the label `linux` are two documents.
    const latest = await client.search<RecommendationDoc>({ index: `${prefix}-recommendations`, size: 100 });
    const byId = new Map(latest.hits.hits.map((h) => [h._id!, h._source!]));
    expect([...byId.keys()].sort()).toEqual(['app', 'jenkins.label:big', 'jenkins.label:linux', 'lib', 'linux']);
    expect(byId.get('linux')).toMatchObject({ workload: { kind: 'jenkins.job', key: 'linux' }, jenkins: { job: { name: 'linux' }, label: 'big' } });
    expect(byId.get('jenkins.label:linux')).toMatchObject({ workload: { kind: 'jenkins.label', key: 'linux' }, jenkins: { label: 'linux' }, basis: { builds: 8 } });
    expect(byId.get('jenkins.label:big')).toMatchObject({ workload: { kind: 'jenkins.label', key: 'big' }, basis: { builds: 6 } });
    // The label's `current` is the largest request on it (2 cores, 4 GiB), not the `linux` job's (4 cores).
    expect(byId.get('jenkins.label:linux')!.current).toEqual({ cpu_cores: 2, memory_bytes: 4 * GiB });
    const runs = await client.search<RecommendationDoc>({ index: `${prefix}-recommendations-history-*`, size: 100 });
    expect(runs.hits.hits).toHaveLength(5);
    // History: one per job and one per label, the label `linux` beside the job `linux`.
    expect(runs.hits.hits.map((h) => `${h._source!.workload.kind} ${h._source!.workload.key}`).sort()).toEqual([
      'jenkins.job app',
      'jenkins.job lib',
      'jenkins.job linux',
      'jenkins.label big',
      'jenkins.label linux',
    ]);
  });

  it('a second run overwrites the waste rows (same ids, no new documents) and leaves unchanged labels alone', async () => {
    const before = await client.mget<WasteDoc>({ index: `${prefix}-waste-2026.11`, ids: expected.map(([scope, key, week]) => wasteId(scope, key, week)) });
    const run = await runCli(['analyze', '--config', cfg, '--now', String(nowMs), '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.err).toContain('9 written; labels: 0 written, 2 unchanged');
    await client.indices.refresh({ index: `${prefix}-*` });
    expect((await client.count({ index: `${prefix}-waste-*` })).count).toBe(9);
    const after = await client.mget<WasteDoc>({ index: `${prefix}-waste-2026.11`, ids: expected.map(([scope, key, week]) => wasteId(scope, key, week)) });
    after.docs.forEach((d, i) => {
      const b = before.docs[i] as { _version: number; _source: WasteDoc };
      expect((d as { _version: number })._version).toBe(b._version + 1);
      expect((d as { _source: WasteDoc })._source).toEqual(b._source);
    });
    expect((await client.count({ index: `${prefix}-recommendations` })).count).toBe(5);
  });

  it('--waste prints the weekly table; --dry-run writes nothing', async () => {
    const run = await runCli(['analyze', '--config', cfg, '--now', String(nowMs), '--waste', '--dry-run']);
    expect(run.code).toBe(0);
    const lines = run.out.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 9);
    expect(lines[2]!.split(/\s+/)).toEqual(['2026-11-16', 'cluster', 'cluster', '7', '14', '3.5', '10.5', '28', '7', '21', '1.26', 'EUR']);
    expect(run.err).toContain('dry run: nothing written');
    expect((await client.count({ index: `${prefix}-waste-*` })).count).toBe(9);
  });
});

