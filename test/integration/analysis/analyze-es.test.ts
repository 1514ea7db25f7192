import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, analyzeBuilds, generateTrace, parseTrace, toBuildRecord, toNdjson } from '../../../src/analysis/index.js';
import { analyzeFromStore, exportTrace } from '../../../src/analysis/service/index.js';
import type { BuildDoc, RecommendationDoc } from '../../../src/model/index.js';
import { createEsClient, deleteTemplates, installTemplates, withEcsBase } from '../../../src/store/index.js';
import { bulkCreate } from '../../support/es.js';
import { historyId } from '../../../src/store/queries/index.js';
import { testEsUrl } from '../../support/env.js';
import { runCli } from '../../support/cli.js';

const prefix = `rs-test-analyze-${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'rs-analyze-es-'));
let client: Client;

// 15 jobs × 20 builds over 20 days (all inside the 30-day window), plus one build without
// build.duration_ms: Elasticsearch stores it, the file parser and the service both skip it.
const docs = generateTrace({ jobs: 15, buildsPerJob: 20, seed: 21, days: 20 });
const nowMs = Math.max(...docs.map((d) => d.build.end));
const broken = { ...docs[5]!, jenkins: { ...docs[5]!.jenkins, build: { number: 999_999 } }, build: { start: nowMs - 1000, end: nowMs - 10 } } as unknown as BuildDoc;
const stored = [...docs, broken];
// The generator aborts ~1% of builds; the recommender (and the query) ignores those.
const usable = (d: BuildDoc): boolean => !['ABORTED', 'NOT_BUILT'].includes(d.jenkins.result ?? '');
const usableBuilds = docs.filter(usable).length;
const usableOf = (job: string): number => docs.filter((d) => usable(d) && d.jenkins.job.name === job).length;
const runMs1 = Date.UTC(2026, 10, 22, 4, 0, 0);
const runMs2 = runMs1 + 60_000;

async function refresh(): Promise<void> {
  await client.indices.refresh({ index: `${prefix}-*` });
}

const run = (args: string[]): ReturnType<typeof runCli> => runCli(args);

/** The fields compared between the Elasticsearch and the offline path. */
const keyFields = (d: RecommendationDoc) => ({
  key: d.workload.key,
  kind: d.workload.kind,
  label: d.jenkins?.label,
  current: d.current,
  recommended: d.recommended,
  builds: d.basis.builds,
  confidence: d.confidence,
  reasons: d.reasons,
  savings: d.savings,
  severity: d.severity,
});
const sortByKey = <T extends { key: string }>(xs: T[]): T[] => xs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

const offlineFile = join(dir, 'trace.ndjson');
let offline: RecommendationDoc[];

beforeAll(async () => {
  client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 30_000 });
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const r = await bulkCreate(client, prefix, stored.map((doc) => ({ kind: 'build' as const, doc })));
  expect(r.errors).toBe(false);
  // The offline path reads the same documents from a file.
  writeFileSync(offlineFile, toNdjson(stored));
  const parsed = parseTrace(readFileSync(offlineFile, 'utf8'));
  expect(parsed.problems).toHaveLength(1);
  offline = analyzeBuilds(
    parsed.builds.map((d) => toBuildRecord(d)),
    { policy: DEFAULT_POLICY, nowMs },
  ).jobs;
});

afterAll(async () => {
  const rows = await client.cat.indices({ index: `${prefix}-*`, format: 'json', h: 'index' });
  const names = rows.map((r) => r.index!);
  if (names.length > 0) await client.indices.delete({ index: names });
  await deleteTemplates(client, prefix);
  await client.close();
});

describe('analyze from the real Elasticsearch', () => {
  it('writes one recommendation per job (the data-model fields, _id = workload key) and one history doc per job, equal to the offline path', async () => {
    const r = await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs, runMs: runMs1, pageSize: 4 });
    expect(usableBuilds).toBeGreaterThan(290);
    expect(r.stats).toMatchObject({ pages: 5, jobs: 15, builds: usableBuilds, skippedBuilds: 1 });
    expect(r.stats.write).toMatchObject({ written: 15, unchanged: 0, history: 15, failed: 0 });
    expect(sortByKey(r.jobs.map(keyFields))).toEqual(sortByKey(offline.map(keyFields)));

    await refresh();
    const latest = await client.search<RecommendationDoc>({ index: `${prefix}-recommendations`, size: 100 });
    expect(latest.hits.hits).toHaveLength(15);
    for (const h of latest.hits.hits) {
      const d = h._source!;
      expect(h._id).toBe(d.workload.key);
      expect(d['@timestamp']).toBe(new Date(nowMs).toISOString());
      expect(d.workload.kind).toBe('jenkins.job');
      expect(d.jenkins?.job?.name).toBe(d.workload.key);
      expect(typeof d.current.cpu_cores).toBe('number');
      expect(typeof d.recommended.memory_bytes).toBe('number');
      expect(d.basis).toMatchObject({ builds: usableOf(d.workload.key), window_days: 30, cpu_percentile: 95, memory_percentile: 99, headroom: 0.15 });
      expect(['low', 'medium', 'high']).toContain(d.confidence);
      expect(['ok', 'warning', 'critical']).toContain(d.severity);
      expect(Array.isArray(d.reasons)).toBe(true);
      // Stored with the ECS base fields the store adds (event.module rightsize, ecs.version); otherwise the offline document.
      expect(d).toEqual(withEcsBase(offline.find((o) => o.workload.key === d.workload.key)!));
    }
    const history = await client.search<RecommendationDoc>({ index: `${prefix}-recommendations-history-2026.11`, size: 100 });
    expect(history.hits.hits).toHaveLength(15);
    expect(new Set(history.hits.hits.map((h) => h._id))).toEqual(new Set(offline.map((d) => historyId(d.workload.key, runMs1))));
    // The mapping of the stored documents is the template's, not dynamic.
    const m = await client.indices.getFieldMapping({ index: `${prefix}-recommendations`, fields: ['recommended.memory_bytes', 'reasons'] });
    const fields = Object.values(m)[0]!.mappings;
    expect(Object.values(fields['recommended.memory_bytes']!.mapping)[0]).toMatchObject({ type: 'long' });
    expect(Object.values(fields['reasons']!.mapping)[0]).toMatchObject({ type: 'keyword' });
  });

  it('a second run over unchanged data changes no recommendation and only adds history', async () => {
    const before = await client.mget<RecommendationDoc>({ index: `${prefix}-recommendations`, ids: offline.map((d) => d.workload.key) });
    const r = await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs, runMs: runMs2, pageSize: 4 });
    expect(r.stats.write).toMatchObject({ written: 0, unchanged: 15, history: 15, failed: 0 });
    await refresh();
    const after = await client.mget<RecommendationDoc>({ index: `${prefix}-recommendations`, ids: offline.map((d) => d.workload.key) });
    const view = (x: typeof before) => x.docs.map((d) => ('found' in d ? { id: d._id, v: d._version, s: d._source } : d));
    expect(view(after)).toEqual(view(before));
    const count = await client.count({ index: `${prefix}-recommendations-history-*` });
    expect(count.count).toBe(30);
  });

  it('the CLI prints the same documents (--dry-run) and a table sorted by savings', async () => {
    const cfg = join(dir, 'rightsize.yaml');
    writeFileSync(cfg, `elasticsearch:\n  url: ${testEsUrl()}\n  indexPrefix: ${prefix}\n  replicas: 0\n`);
    const json = await run(['analyze', '--config', cfg, '--now', String(nowMs), '--dry-run', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(json.err).toContain(`analyzed 15 job(s), ${usableBuilds} build(s)`);
    expect(json.err).toContain('skipped 1 malformed build(s)');
    expect(json.err).toContain('dry run: nothing written');
    const printed = json.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RecommendationDoc);
    expect(sortByKey(printed.map(keyFields))).toEqual(sortByKey(offline.map(keyFields)));

    const table = await run(['analyze', '--config', cfg, '--now', String(nowMs), '--dry-run']);
    expect(table.code).toBe(0);
    const firstKey = table.out.split('\n')[2]!.split(/\s+/)[0];
    const top = [...offline].sort(
      (a, b) => (b.savings?.cpu_core_hours_per_week ?? 0) - (a.savings?.cpu_core_hours_per_week ?? 0),
    )[0]!;
    expect(firstKey).toBe(top.workload.key);
    const count = await client.count({ index: `${prefix}-recommendations-history-*` });
    expect(count.count).toBe(30);
  });

  it('exports the builds documents exactly as stored (PIT + search_after over several pages), and the CLI does too', async () => {
    const out = join(dir, 'export.ndjson');
    const r = await exportTrace({ client, prefix, url: testEsUrl(), fromMs: nowMs - 30 * 86_400_000, toMs: nowMs, out, pageSize: 40 });
    expect(r.builds).toBe(301);
    expect(r.pages).toBe(8);
    const canon = (lines: string[]) => lines.filter((l) => l !== '').map((l) => JSON.stringify(JSON.parse(l))).sort();
    expect(canon(readFileSync(out, 'utf8').split('\n'))).toEqual(canon(stored.map((d) => JSON.stringify(d))));

    const cfg = join(dir, 'rightsize.yaml');
    const cliOut = join(dir, 'cli-export.ndjson');
    const cli = await run(['replay', '--from-es', '--config', cfg, '--now', String(nowMs), '--window', '30d', '--out', cliOut]);
    expect(cli.code).toBe(0);
    expect(cli.out).toContain('wrote 301 builds documents');
    expect(canon(readFileSync(cliOut, 'utf8').split('\n'))).toEqual(canon(stored.map((d) => JSON.stringify(d))));
    // A window that ends before the first build exports nothing.
    const empty = await exportTrace({ client, prefix, url: testEsUrl(), fromMs: 0, toMs: 1000, out: join(dir, 'empty.ndjson') });
    expect(empty.builds).toBe(0);
  });
});
