import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEFAULT_POLICY, generateTrace } from '../../../src/analysis/index.js';
import { analyzeFromStore } from '../../../src/analysis/service/index.js';
import { buildApp, RecommendationCache } from '../../../src/api/index.js';
import type { BuildDoc, ClusterDoc, ContainerDoc, QueueDoc, RecommendationDoc } from '../../../src/model/index.js';
import { indexName, installTemplates } from '../../../src/store/index.js';
import { EsApiReads, latestRecommendationPages } from '../../../src/store/queries/index.js';
import { launchChromium } from '../../support/browser.js';
import { testEsUrl } from '../../support/env.js';
import { bulkCreate, dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';
import { BLUE, GREEN, ORANGE, rowData, screenshot, seriesPixels, tableTexts, watchedPage } from './support.js';

/**
 * The UI on the whole stack: demo-like documents written to the real Elasticsearch (builds from
 * the trace generator with one job renamed to a hostile name, a day of Mesos master, container
 * and queue documents, an alert state), recommendations written by the Elasticsearch analysis,
 * and the pages read through EsApiReads as `rightsize serve` does. A silence made in the page
 * lands in the silences index and is expired there.
 */

const HOSTILE = '<img src=x onerror=alert(1)>';
const WRITE = 'es-ui-write-token-3c9d1f';
const GiB = 1024 ** 3;
const client = testEsClient();
const prefix = uniquePrefix('ui');
const trace = generateTrace({ jobs: 8, buildsPerJob: 14, seed: 12, days: 14 });
const victim = trace[0]!.jenkins.job.name;
const builds: BuildDoc[] = trace.map((d) => (d.jenkins.job.name === victim ? { ...d, jenkins: { ...d.jenkins, job: { name: HOSTILE } } } : d));
const nowMs = Math.max(...builds.map((d) => d.build.end)) + 60_000;
const clock = { nowMs: () => nowMs };
const POLL_MS = 5 * 60_000;

function dayOfDocuments(): Array<{ kind: 'cluster'; doc: ClusterDoc } | { kind: 'container'; doc: ContainerDoc } | { kind: 'queue'; doc: QueueDoc }> {
  const out: Array<{ kind: 'cluster'; doc: ClusterDoc } | { kind: 'container'; doc: ContainerDoc } | { kind: 'queue'; doc: QueueDoc }> = [];
  for (let t = nowMs - 24 * 3_600_000, i = 0; t <= nowMs - 60_000; t += POLL_MS, i++) {
    const ts = new Date(t).toISOString();
    const allocated = 20 + (i % 12);
    out.push({
      kind: 'cluster',
      doc: { '@timestamp': ts, event: { dataset: 'mesos.master', module: 'mesos' }, mesos: { master: { url: 'http://mesos-master:5050', elected: true }, cpus: { total: 48, used: allocated }, mem: { total_bytes: 192 * GiB, used_bytes: allocated * 3 * GiB }, agents: { active: 6, inactive: 0 } } },
    });
    for (let c = 0; c < 3; c++) {
      out.push({
        kind: 'container',
        doc: { '@timestamp': ts, event: { dataset: 'docker.container', module: 'docker' }, service: { address: 'unix:///var/run/docker.sock' }, container: { id: `c${c}` }, cpu: { cores: 2 + c, interval_ms: POLL_MS, core_seconds: ((2 + c) * POLL_MS) / 1000 }, memory: { working_set_bytes: (2 + c) * GiB } },
      });
    }
    for (const [label, oldestMin] of [['linux-2c', 3], ['linux-4c', 9]] as const) {
      out.push({ kind: 'queue', doc: { '@timestamp': ts, event: { dataset: 'jenkins.queue.label', module: 'jenkins' }, jenkins: { url: 'http://jenkins:8080', label }, queue: { length: (i % 4) + (label === 'linux-4c' ? 2 : 0), oldest_wait_ms: ((i % 5) + 1) * oldestMin * 60_000 } } });
    }
  }
  return out;
}

let app: ReturnType<typeof buildApp>;
let base: string;
let browser: Browser;
let stored: RecommendationDoc[];

beforeAll(async () => {
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const bulk = await bulkCreate(client, prefix, [...builds.map((doc) => ({ kind: 'build' as const, doc })), ...dayOfDocuments()]);
  expect(bulk.errors, JSON.stringify(bulk.items.find((x) => x.create?.error))).toBe(false);
  await client.index({
    index: indexName(prefix, 'alerts', 0),
    id: 'queue-wait-linux-4c',
    refresh: true,
    document: { '@timestamp': new Date(nowMs - 600_000).toISOString(), rule: { id: 'queue-wait', name: 'Builds wait in the queue', severity: 'critical' }, alert: { group: 'linux-4c', status: 'firing', since: nowMs - 3_600_000, value: 27, threshold: 10, notifications: 1 } },
  });
  stored = (await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs })).jobs;
  const cache = new RecommendationCache({
    clock,
    load: async (signal) => {
      const docs: RecommendationDoc[] = [];
      let skipped = 0;
      for await (const page of latestRecommendationPages(client, prefix, 1000, signal)) {
        docs.push(...page.docs);
        skipped += page.skipped;
      }
      return { docs, skipped };
    },
  });
  await cache.refresh();
  app = buildApp({ cache, reads: new EsApiReads({ client, prefix }), tokens: { read: [], write: [WRITE] }, clock, staleAfterMs: 600_000, version: 'ui-es-test' });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await dropPrefix(client, prefix);
  await client.close();
});

describe('the web UI on documents in the real Elasticsearch', () => {
  it('jobs table and the hostile job page: the analysis written by Elasticsearch, the builds read back, as text', async () => {
    expect(stored.map((d) => d.workload.key)).toContain(HOSTILE);
    const { page, problems, dialogs } = await watchedPage(browser);
    await page.goto(`${base}/`);
    await page.locator('#rows tr').nth(7).waitFor({ timeout: 20_000 });
    const jobs = await rowData(page, '#rows', 'job');
    expect([...jobs].sort()).toEqual(stored.map((d) => d.workload.key).sort());
    const i = jobs.indexOf(HOSTILE);
    expect(await page.locator('#rows tr').nth(i).locator('td').first().textContent()).toBe(HOSTILE);
    await page.fill('#filter', 'onerror');
    await expect.poll(() => rowData(page, '#rows', 'job'), { timeout: 10_000 }).toEqual([HOSTILE]);
    await page.locator('#rows a.job').click();
    await page.waitForURL(/\/job\?name=/);
    await page.locator('#rows tr').nth(13).waitFor({ timeout: 20_000 });
    expect(await page.locator('#title').textContent()).toBe(HOSTILE);
    const numbers = (await tableTexts(page, '#rows')).map((r) => r[0]);
    const mine = builds.filter((d) => d.jenkins.job.name === HOSTILE).sort((a, b) => b.build.end - a.build.end);
    expect(numbers).toEqual(mine.map((d) => `#${d.jenkins.build.number}`));
    const hostileRec = stored.find((d) => d.workload.key === HOSTILE)!;
    expect(await page.locator('#rec').textContent()).toContain(`rightsize recommends ${String(Math.round(hostileRec.recommended.cpu_cores! * 100) / 100)} cores`);
    await page.locator('#mem-chart canvas').waitFor();
    for (const chart of ['#cpu-chart', '#mem-chart']) {
      expect(await seriesPixels(page, chart, ORANGE), chart).toBeGreaterThan(30);
      expect(await seriesPixels(page, chart, BLUE), chart).toBeGreaterThan(100);
      expect(await seriesPixels(page, chart, GREEN), chart).toBeGreaterThan(30);
    }
    expect(await page.locator('img').count()).toBe(0);
    await screenshot(page, 'es-job-hostile');
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('cluster overview and queue waits from the Mesos master, container and queue documents', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/cluster`);
    await page.locator('#agents-chart canvas').waitFor({ timeout: 20_000 });
    const cards = await page.locator('#now .card').allTextContents();
    // (CPU used is the newest bucket's mean, which a partly elapsed bucket pulls below the 9 cores measured.)
    expect(cards.slice(0, 3)).toEqual(['active agents6', expect.stringMatching(/^CPU allocated \/ total\d+ \/ 48 cores$/), expect.stringMatching(/^CPU used\d+(\.\d+)? cores$/)]);
    for (const chart of ['#cpu-chart', '#mem-chart']) {
      expect(await seriesPixels(page, chart, BLUE), chart).toBeGreaterThan(100);
      expect(await seriesPixels(page, chart, ORANGE), chart).toBeGreaterThan(100);
    }
    await screenshot(page, 'es-cluster');
    await page.goto(`${base}/queue?range=now-30d`);
    await page.locator('#length-chart canvas').waitFor({ timeout: 20_000 });
    const rows = await tableTexts(page, '#rows');
    const labels = new Set(builds.map((d) => d.jenkins.label));
    expect(rows.map((r) => r[0]).sort()).toEqual([...new Set([...labels, 'linux-2c', 'linux-4c'])].sort());
    const total = rows.reduce((n, r) => n + Number(r[1]), 0);
    expect(total).toBe(builds.filter((d) => d.build.start >= nowMs - 30 * 86_400_000).length);
    expect(await seriesPixels(page, '#wait-chart', BLUE)).toBeGreaterThan(100);
    await screenshot(page, 'es-queue');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the alert from the alerts index; a silence made in the page is stored and expired in Elasticsearch', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/alerts`);
    await page.locator('#alert-rows tr').first().waitFor({ timeout: 20_000 });
    expect((await tableTexts(page, '#alert-rows')).map((r) => r.slice(0, 4))).toEqual([['queue-wait Builds wait in the queue', 'linux-4c', 'firing', 'critical']]);
    await page.click('#token-box summary');
    await page.fill('#token', WRITE);
    await page.click('#token-form button[type="submit"]');
    await page.locator('button.silence').click();
    await page.fill('#s-by', 'es-ui-test');
    await page.click('#silence-form button[type="submit"]');
    await expect.poll(() => page.locator('#write-result').textContent(), { timeout: 15_000 }).toMatch(/^silence \S+ created for queue-wait \/ linux-4c until /);
    const found = await client.search<{ rule: { id: string }; until: number; created_by: string }>({ index: indexName(prefix, 'silences', 0), query: { match_all: {} } });
    expect(found.hits.hits.map((h) => [h._source?.rule.id, h._source?.created_by])).toEqual([['queue-wait', 'es-ui-test']]);
    const id = found.hits.hits[0]!._id!;
    await expect.poll(async () => (await tableTexts(page, '#alert-rows'))[0]![7], { timeout: 15_000 }).toBe(id);
    await page.locator(`#silence-rows tr[data-silence="${id}"] button.expire`).click();
    await expect.poll(() => page.locator('#write-result').textContent(), { timeout: 15_000 }).toBe(`silence ${id} expired`);
    await expect.poll(async () => (await tableTexts(page, '#silence-rows')).length, { timeout: 15_000 }).toBe(0);
    const after = await client.get<{ until: number }>({ index: indexName(prefix, 'silences', 0), id });
    expect(after._source?.until).toBe(nowMs);
    await screenshot(page, 'es-alerts');
    expect(problems).toEqual([]);
    await page.close();
  });
});
