import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, generateTrace } from '../../../src/analysis/index.js';
import { analyzeFromStore } from '../../../src/analysis/service/index.js';
import type { BuildDoc, RecommendationDoc } from '../../../src/model/index.js';
import { createEsClient, deleteTemplates, installTemplates } from '../../../src/store/index.js';
import { testEsUrl } from '../../support/env.js';
import { bulkCreate, uniquePrefix } from '../../support/es.js';

// Regression for issue 14 item 4 against the real Elasticsearch: one job name over 512 bytes
// (Japanese folders) made the recommendations bulk request fail with "id ... is too long", so no
// job's recommendation was written.
const prefix = uniquePrefix('longname');
const longName = `${'チーム/'.repeat(60)}ビルド`;
let client: Client;
const base = generateTrace({ jobs: 3, buildsPerJob: 12, seed: 5, days: 10 });
const renamed = base[0]!.jenkins.job.name;
const docs: BuildDoc[] = base.map((d) => (d.jenkins.job.name === renamed ? { ...d, jenkins: { ...d.jenkins, job: { name: longName } } } : d));
const nowMs = Math.max(...docs.map((d) => d.build.end));

beforeAll(async () => {
  client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 30_000 });
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const r = await bulkCreate(client, prefix, docs.map((doc) => ({ kind: 'build' as const, doc })));
  expect(r.errors).toBe(false);
});

afterAll(async () => {
  await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
  await deleteTemplates(client, prefix);
  await client.close();
});

describe('regression: analyze with a job name over 512 bytes', () => {
  it('writes every job, the long one under a hashed _id with its full key in the document', async () => {
    expect(Buffer.byteLength(longName, 'utf8')).toBeGreaterThan(512);
    const jobs = new Set(docs.map((d) => d.jenkins.job.name));
    expect(jobs.has(longName)).toBe(true);
    const r = await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs, runMs: nowMs, pageSize: 10 });
    expect(r.stats.write).toMatchObject({ written: jobs.size, history: jobs.size, failed: 0 });
    await client.indices.refresh({ index: `${prefix}-*` });
    const latest = await client.search<RecommendationDoc>({ index: `${prefix}-recommendations`, size: 10 });
    const byKey = new Map(latest.hits.hits.map((h) => [h._source!.workload.key, h._id!]));
    expect([...byKey.keys()].sort()).toEqual([...jobs].sort());
    expect(byKey.get(longName)).toMatch(/^sha256:[0-9a-f]{64}$/);
    // A second run finds its previous document under the same id (hysteresis, unchanged detection).
    const again = await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs, runMs: nowMs + 60_000, pageSize: 10 });
    expect(again.stats.write).toMatchObject({ written: 0, unchanged: jobs.size, failed: 0 });
  });
});
