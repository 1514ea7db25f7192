import { randomBytes } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/model/index.js';
import {
  ElasticsearchSink,
  INDEX_KINDS,
  TEMPLATE_VERSION,
  applyRetention,
  createEsClient,
  deleteTemplates,
  idFor,
  indexFor,
  indexName,
  installTemplates,
  templateName,
  type IndexKind,
} from '../../../src/store/index.js';
import { dailySuffix, monthlySuffix } from '../../../src/util/index.js';
import { testEsUrl } from '../../support/env.js';
import { containerSample, sampleOfEveryKind } from '../../unit/store/fixtures.js';

const prefix = `rs-test-${randomBytes(4).toString('hex')}`;
const kinds = Object.keys(INDEX_KINDS) as IndexKind[];
let client: Client;

async function prefixIndices(of = prefix): Promise<string[]> {
  const rows = await client.cat.indices({ index: `${of}-*`, format: 'json', h: 'index', expand_wildcards: ['open', 'closed'] });
  return rows.map((r) => r.index!).sort();
}

/** The mapped type of a dotted field in an index (`_mapping/field`). */
async function fieldType(index: string, field: string): Promise<string | undefined> {
  const res = await client.indices.getFieldMapping({ index, fields: field });
  const mapping = res[index]?.mappings[field]?.mapping as Record<string, { type?: string; format?: string }> | undefined;
  const leaf = mapping ? Object.values(mapping)[0] : undefined;
  if (!leaf) return undefined;
  return leaf.format ? `${leaf.type}:${leaf.format}` : leaf.type;
}

beforeAll(() => {
  client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 30_000 });
});

afterAll(async () => {
  const names = await prefixIndices();
  if (names.length > 0) await client.indices.delete({ index: names });
  await deleteTemplates(client, prefix);
  await client.close();
});

describe('store on the real Elasticsearch', () => {
  it('installs one template per kind, and a second install changes nothing', async () => {
    const first = await installTemplates(client, { prefix, shards: 1, replicas: 0 });
    expect(first.created).toEqual(kinds.map((k) => templateName(prefix, k)));
    expect(first.updated).toEqual([]);
    const second = await installTemplates(client, { prefix, shards: 1, replicas: 0 });
    expect(second).toEqual({ created: [], updated: [], unchanged: first.created, newer: [] });
    const got = await client.indices.getIndexTemplate({ name: `${prefix}-*` });
    expect(got.index_templates).toHaveLength(kinds.length);
    for (const t of got.index_templates) {
      expect(t.index_template.version).toBe(TEMPLATE_VERSION);
      expect(t.index_template._meta?.['rightsize_template_version']).toBe(TEMPLATE_VERSION);
    }
  });

  it('replaces an older template and leaves a newer one alone', async () => {
    const name = templateName(prefix, 'queue');
    const current = (await client.indices.getIndexTemplate({ name })).index_templates[0]!.index_template;
    await client.indices.putIndexTemplate({ name, ...current, version: 0, _meta: { ...current._meta, rightsize_template_version: 0 } });
    const newerName = templateName(prefix, 'silences');
    const silences = (await client.indices.getIndexTemplate({ name: newerName })).index_templates[0]!.index_template;
    await client.indices.putIndexTemplate({ name: newerName, ...silences, version: 99, _meta: { ...silences._meta, rightsize_template_version: 99 } });
    const res = await installTemplates(client, { prefix, shards: 1, replicas: 0 });
    expect(res.updated).toEqual([name]);
    expect(res.newer).toEqual([newerName]);
    expect((await client.indices.getIndexTemplate({ name })).index_templates[0]!.index_template.version).toBe(TEMPLATE_VERSION);
    // put the newer one back to ours for the other tests
    await client.indices.deleteIndexTemplate({ name: newerName });
    expect((await installTemplates(client, { prefix, shards: 1, replicas: 0 })).created).toEqual([newerName]);
  });

  it('indexes documents of every kind with the mapped types', async () => {
    const sink = new ElasticsearchSink({
      client,
      prefix,
      bulk: { flushBytes: 1_000_000, flushIntervalMs: 100, concurrency: 2, retries: 3, retryBackoffMs: 100, bufferMaxDocs: 10_000 },
    });
    const all = sampleOfEveryKind();
    const withExtras: Sample = {
      kind: 'container',
      doc: {
        ...(all[0]!.doc as Extract<Sample, { kind: 'container' }>['doc']),
        container: { id: 'extras', labels: { a: 'x', 'a.b': 'y', 'com.example.team': 'ci' } },
        // fields the data model does not name: strings must become keyword, numbers double
        ...({ extra: { note: 'free text', ratio: 1 } } as object),
      },
    };
    sink.write([...all, withExtras]);
    await sink.forceFlush(30_000);
    expect(sink.stats()).toMatchObject({ received: 7, indexed: 7, dropped: 0 });
    await sink.shutdown();

    const containers = indexFor(all[0]!, prefix);
    const cluster = indexFor(all[1]!, prefix);
    const builds = indexFor(all[5]!, prefix);
    const queue = indexFor(all[4]!, prefix);
    await client.indices.refresh({ index: [containers, cluster, builds, queue] });
    expect((await client.count({ index: cluster })).count).toBe(3);

    expect(await fieldType(containers, '@timestamp')).toBe('date');
    expect(await fieldType(containers, 'cpu.cores')).toBe('double');
    expect(await fieldType(containers, 'memory.working_set_bytes')).toBe('long');
    expect(await fieldType(containers, 'cpu.throttled.time_ms')).toBe('long');
    expect(await fieldType(containers, 'container.id')).toBe('keyword');
    expect(await fieldType(containers, 'container.labels.com.docker.compose.project')).toBe('keyword');
    expect(await fieldType(containers, 'container.labels.a')).toBe('keyword');
    expect(await fieldType(containers, 'container.labels.a.b')).toBe('keyword');
    expect(await fieldType(containers, 'extra.note')).toBe('keyword');
    expect(await fieldType(containers, 'extra.ratio')).toBe('double');
    expect(await fieldType(cluster, 'mesos.agent.resources.cpus')).toBe('double');
    expect(await fieldType(cluster, 'mesos.master.elected')).toBe('boolean');
    expect(await fieldType(cluster, 'mesos.role.allocated.mem_bytes')).toBe('long');
    expect(await fieldType(builds, 'build.start')).toBe('date:epoch_millis||strict_date_optional_time');
    expect(await fieldType(builds, 'usage.cpu.p95_cores')).toBe('double');
    expect(await fieldType(queue, 'queue.wait_ms.p95')).toBe('long');

    // a range query over an epoch-ms date works as a date
    const start = (all[5]!.doc as { build: { start: number } }).build.start;
    const hits = await client.count({ index: builds, query: { range: { 'build.start': { gte: new Date(start).toISOString() } } } });
    expect(hits.count).toBe(1);
  });

  it('maps recommendation, alert and silence documents written directly', async () => {
    const now = Date.UTC(2026, 10, 22, 3, 0);
    const rec = {
      '@timestamp': new Date(now).toISOString(),
      workload: { kind: 'jenkins.job', key: 'jenkins.job:app/main' },
      current: { cpu_cores: 4, memory_bytes: 8_589_934_592 },
      recommended: { cpu_cores: 1.5, memory_bytes: 3_221_225_472, lower: { cpu_cores: 1 }, upper: { cpu_cores: 2 } },
      basis: { builds: 40, window_days: 14, cpu_percentile: 95, memory_percentile: 99, headroom: 0.15 },
      confidence: 'high',
      reasons: ['cpu_throttled', 'few_builds'],
      severity: 'warning',
    };
    const ops: [string, string | undefined, Record<string, unknown>][] = [
      [indexName(prefix, 'recommendations', now), 'jenkins.job:app/main', rec],
      [indexName(prefix, 'recommendations-history', now), undefined, rec],
      [indexName(prefix, 'alerts', now), 'r1/g1', { '@timestamp': rec['@timestamp'], rule: { id: 'r1' }, alert: { group: 'g1', status: 'firing', since: now, notifications: 1, value: 0.9, threshold: 0.8 } }],
      [indexName(prefix, 'alert-events', now), undefined, { '@timestamp': rec['@timestamp'], rule: { id: 'r1' }, alert: { group: 'g1' }, event: { action: 'fired' }, message: 'CPU throttled' }],
      [indexName(prefix, 'silences', now), undefined, { rule: { id: 'r1' }, until: now + 3_600_000, created_by: 'ops', comment: 'maintenance' }],
    ];
    for (const [index, id, document] of ops) await client.index({ index, ...(id ? { id } : {}), document, refresh: true });
    expect(await fieldType(`${prefix}-recommendations`, 'reasons')).toBe('keyword');
    expect(await fieldType(`${prefix}-recommendations`, 'recommended.lower.cpu_cores')).toBe('double');
    expect(await fieldType(indexName(prefix, 'recommendations-history', now), 'basis.window_days')).toBe('double');
    expect(await fieldType(`${prefix}-alerts`, 'alert.since')).toBe('date:epoch_millis||strict_date_optional_time');
    expect(await fieldType(indexName(prefix, 'alert-events', now), 'message')).toBe('text');
    expect(await fieldType(`${prefix}-silences`, 'until')).toBe('date:epoch_millis||strict_date_optional_time');
    const settings = await client.indices.getSettings({ index: `${prefix}-alerts` });
    expect(settings[`${prefix}-alerts`]?.settings?.index?.number_of_shards).toBe('1');
  });

  it('the sink indexes N documents exactly once, even when they are written twice', async () => {
    const n = 5000;
    const input: Sample[] = [];
    const t0 = Date.UTC(2026, 10, 21, 0, 0);
    for (let i = 0; i < n; i++) input.push(containerSample(`c${i % 50}`, new Date(t0 + Math.floor(i / 50) * 10_000).toISOString(), (i % 7) / 7));
    const sink = new ElasticsearchSink({
      client,
      prefix,
      bulk: { flushBytes: 50_000, flushIntervalMs: 50, concurrency: 2, retries: 3, retryBackoffMs: 100, bufferMaxDocs: 20_000 },
    });
    for (let i = 0; i < n; i += 500) sink.write(input.slice(i, i + 500));
    await sink.forceFlush(60_000);
    sink.write(input.slice(0, 1000)); // a collector retrying a round
    await sink.shutdown();
    expect(sink.stats()).toMatchObject({ received: n + 1000, indexed: n + 1000, alreadyPresent: 1000, dropped: 0, buffered: 0 });
    const index = indexFor(input[0]!, prefix);
    await client.indices.refresh({ index });
    expect((await client.count({ index })).count).toBe(n);
    const ids = input.map(idFor);
    expect(new Set(ids).size).toBe(n);
    expect((await client.count({ index, query: { ids: { values: ids } } })).count).toBe(n);
  });

  it('retention deletes only indices older than the configured days', async () => {
    // Its own prefix: the documents other tests of this file wrote carry fixed dates that age past the retention.
    const rprefix = `${prefix}-ret`;
    const now = Date.now();
    const old = [`${rprefix}-containers-2020.01.01`, `${rprefix}-queue-2020.01.02`, `${rprefix}-builds-2020.01`];
    const keep = [
      `${rprefix}-containers-${dailySuffix(now)}`,
      `${rprefix}-containers-${dailySuffix(now - 86_400_000)}`,
      `${rprefix}-builds-${monthlySuffix(now)}`,
      `${rprefix}-alert-events-2020.01`, // no retention configured for alert events
    ];
    for (const index of [...old, ...keep]) {
      const exists = await client.indices.exists({ index });
      if (!exists) await client.indices.create({ index });
    }
    const res = await applyRetention(client, { prefix: rprefix, retentionDays: { containers: 14, cluster: 30, queue: 30, builds: 400 }, now });
    expect([...res.deleted].sort()).toEqual([...old].sort());
    const left = await prefixIndices(rprefix);
    for (const index of keep) expect(left).toContain(index);
    for (const index of old) expect(left).not.toContain(index);
    const again = await applyRetention(client, { prefix: rprefix, retentionDays: { containers: 14, cluster: 30, queue: 30, builds: 400 }, now });
    expect(again.deleted).toEqual([]);
  });
});
