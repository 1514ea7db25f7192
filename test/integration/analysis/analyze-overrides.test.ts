import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateTrace, toNdjson } from '../../../src/analysis/index.js';
import type { RecommendationDoc } from '../../../src/model/index.js';
import { createEsClient, deleteTemplates, installTemplates, recommendationId } from '../../../src/store/index.js';
import { bulkCreate } from '../../support/es.js';
import { testEsUrl } from '../../support/env.js';
import { runCli } from '../../support/cli.js';

// `analysis.overrides` end to end: a config file, `analyze --from` (offline) and `analyze` against
// the real Elasticsearch, and `--plan --jcasc` on the same jobs.
const dir = mkdtempSync(join(tmpdir(), 'rs-overrides-'));
const docs = generateTrace({ jobs: 6, buildsPerJob: 20, seed: 5, days: 20 });
const nowMs = Math.max(...docs.map((d) => d.build.end));
const jobs = [...new Set(docs.map((d) => d.jenkins.job.name))].sort();
const excludedJob = jobs.find((j) => j.startsWith('gen/team-0/'))!;
const pinnedJob = jobs.find((j) => j.startsWith('gen/team-1/'))!;
const traceFile = join(dir, 'trace.ndjson');
const config = join(dir, 'rightsize.yaml');
const plainConfig = join(dir, 'plain.yaml');
const PIN = 40 * 1024 ** 3;

const prefix = `rs-test-overrides-${randomBytes(4).toString('hex')}`;
let client: Client;

beforeAll(async () => {
  writeFileSync(traceFile, toNdjson(docs));
  const es = `elasticsearch:\n  url: ${testEsUrl()}\n  indexPrefix: ${prefix}\n`;
  writeFileSync(plainConfig, es);
  writeFileSync(
    config,
    es +
      `analysis:
  overrides:
    - name: no-team0
      match: { job: "gen/team-0/**" }
      exclude: true
    - name: never-oom
      match: { job: ["gen/team-1/*"] }
      memory: { minBytes: 40GiB }
    # never reached for team-1: the first matching entry wins
    - match: { job: "gen/**" }
      cpu: { percentile: 0.5 }
`,
  );
  client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 30_000 });
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const r = await bulkCreate(client, prefix, docs.map((doc) => ({ kind: 'build' as const, doc })));
  expect(r.errors).toBe(false);
});

afterAll(async () => {
  const rows = await client.cat.indices({ index: `${prefix}-*`, format: 'json', h: 'index' });
  const names = rows.map((r) => r.index!);
  if (names.length > 0) await client.indices.delete({ index: names });
  await deleteTemplates(client, prefix);
  await client.close();
});

const ndjson = (out: string): RecommendationDoc[] =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RecommendationDoc);

describe('analysis.overrides through analyze', () => {
  it('analyze --from with a config: the excluded job is absent and counted, the pin binds and says so, the first match wins', async () => {
    const r = await runCli(['analyze', '--from', traceFile, '--print', '--config', config]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('overrides: 3 entries; excluded 1 job(s) from the recommendations (no-team0: 1)');
    const out = ndjson(r.out);
    expect(out.map((d) => d.workload.key).sort()).toEqual(jobs.filter((j) => j !== excludedJob));
    const pinned = out.find((d) => d.workload.key === pinnedJob)!;
    expect(pinned.recommended.memory_bytes).toBe(PIN);
    expect(pinned.reasons).toEqual(expect.arrayContaining(['override:never-oom', 'override:never-oom:pinned_min_memory']));
    expect(pinned.basis.cpu_percentile).toBe(95);
    const others = out.filter((d) => d.workload.key !== pinnedJob);
    for (const d of others) {
      expect(d.reasons).toEqual(expect.arrayContaining(['override:2', 'override:2:cpu_percentile']));
      expect(d.basis.cpu_percentile).toBe(50);
    }
    const plain = ndjson((await runCli(['analyze', '--from', traceFile, '--print'])).out);
    expect(plain).toHaveLength(jobs.length);
    expect(plain.find((d) => d.workload.key === pinnedJob)!.recommended.memory_bytes).toBeLessThan(PIN);
  });

  it('analyze --plan --jcasc: the excluded job is not planned, the pinned one gets a label that fits its pin', async () => {
    const jcasc = join(dir, 'current.yaml');
    writeFileSync(jcasc, 'jenkins:\n  clouds:\n    - mesos:\n        master: zk://zk:2181/mesos\n        slaveInfos: []\nunclassified:\n  location:\n    url: https://jenkins/\n');
    const moves = join(dir, 'moves.ndjson');
    const r = await runCli(['analyze', '--from', traceFile, '--print', '--config', config, '--plan', '3', '--jcasc', jcasc, '--moves-out', moves]);
    expect(r.code).toBe(0);
    const moved = readFileSync(moves, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { job: string; to: string; memory_bytes: number });
    expect(moved.map((m) => m.job)).not.toContain(excludedJob);
    expect(moved.find((m) => m.job === pinnedJob)!.memory_bytes).toBeGreaterThanOrEqual(PIN);
    const doc = parse(r.out) as { unclassified: unknown; jenkins: { clouds: Array<{ mesos: { master: string; slaveInfos: Array<Record<string, string>> } }> } };
    expect(doc.unclassified).toEqual({ location: { url: 'https://jenkins/' } });
    expect(doc.jenkins.clouds[0]!.mesos.master).toBe('zk://zk:2181/mesos');
    expect(doc.jenkins.clouds[0]!.mesos.slaveInfos.map((t) => t['labelString']).sort()).toEqual([...new Set(moved.map((m) => m.to))].sort());
  });

  it('analyze against Elasticsearch: the excluded job gets no recommendation and its stale stored one is deleted', async () => {
    const now = new Date(nowMs).toISOString();
    const first = await runCli(['analyze', '--config', plainConfig, '--now', now]);
    expect(first.code).toBe(0);
    await client.indices.refresh({ index: `${prefix}-recommendations` });
    expect((await client.exists({ index: `${prefix}-recommendations`, id: recommendationId(excludedJob) })).valueOf()).toBe(true);

    const second = await runCli(['analyze', '--config', config, '--now', now]);
    expect(second.code).toBe(0);
    expect(second.err).toContain('excluded 1 job(s) from the recommendations (no-team0: 1)');
    expect(second.err).toContain('deleted 1 stored recommendation(s) of excluded jobs');
    await client.indices.refresh({ index: `${prefix}-recommendations` });
    expect((await client.exists({ index: `${prefix}-recommendations`, id: recommendationId(excludedJob) })).valueOf()).toBe(false);
    const pinned = await client.get<RecommendationDoc>({ index: `${prefix}-recommendations`, id: recommendationId(pinnedJob) });
    expect(pinned._source!.recommended.memory_bytes).toBe(PIN);
    expect(pinned._source!.reasons).toContain('override:never-oom:pinned_min_memory');
    // A third run deletes nothing more.
    const third = await runCli(['analyze', '--config', config, '--now', now]);
    expect(third.err).not.toContain('deleted');
  });
});
