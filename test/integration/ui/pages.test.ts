import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildApp, RecommendationCache } from '../../../src/api/index.js';
import { launchChromium } from '../../support/browser.js';
import { FixtureReads, HOSTILE, JOB_DOCS, NOW_MS } from './fixtures.js';
import { BLUE, GREEN, ORANGE, PURPLE, rowData, screenshot, seriesPixels, tableTexts, watchedPage } from './support.js';

/**
 * Every page of the web UI in a real Chromium against demo-like data (fixtures.ts): no console
 * error or CSP violation, tables with rows, charts that drew their series, sorting and
 * filtering, a hostile job name shown as text, silences created and expired with a write token
 * and refused visibly without one. Screenshots go to test-artifacts/ui/.
 */

const WRITE = 'ui-write-token-5b1f0c2e9a';
const READ = 'ui-read-token-77d0e1aa3c';
const clock = { nowMs: () => NOW_MS };

async function serve(reads: FixtureReads, tokens: { read: string[]; write: string[] }): Promise<{ app: ReturnType<typeof buildApp>; base: string }> {
  const cache = new RecommendationCache({ load: () => Promise.resolve({ docs: [...JOB_DOCS], skipped: 0 }), clock });
  await cache.refresh();
  const app = buildApp({ cache, reads, tokens, clock, staleAfterMs: 600_000, version: 'ui-test' });
  return { app, base: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

let browser: Browser;
let app: ReturnType<typeof buildApp>;
let base: string;
const reads = new FixtureReads();

beforeAll(async () => {
  ({ app, base } = await serve(reads, { read: [], write: [WRITE] }));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the web UI pages', () => {
  it('cluster overview: allocated vs used CPU and memory over time, agents; the nav leads to every page', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/cluster`);
    await page.locator('#cpu-chart canvas').waitFor({ timeout: 15_000 });
    await page.locator('#agents-chart canvas').waitFor({ timeout: 15_000 });
    const cards = await page.locator('#now .card').allTextContents();
    expect(cards[0]).toBe('active agents8');
    expect(cards[1]).toMatch(/^CPU allocated \/ total\d+(\.\d+)? \/ 64 cores$/);
    // Each chart drew its series: allocated (blue) and used (orange) on CPU and memory, agents green.
    for (const chart of ['#cpu-chart', '#mem-chart']) {
      expect(await seriesPixels(page, chart, BLUE), chart).toBeGreaterThan(100);
      expect(await seriesPixels(page, chart, ORANGE), chart).toBeGreaterThan(100);
    }
    expect(await seriesPixels(page, '#agents-chart', GREEN)).toBeGreaterThan(100);
    expect(await page.locator('#cpu-chart .u-legend').textContent()).toContain('allocated');
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Cluster');
    await screenshot(page, 'cluster');
    // The range is asked of the server and kept in the URL.
    const asked = page.waitForRequest((r) => r.url().includes('/api/v1/cluster?') && r.url().includes('from=now-7d'));
    await page.selectOption('#range', 'now-7d');
    await asked;
    expect(page.url()).toContain('range=now-7d');
    for (const [link, path] of [['Queue waits', '/queue'], ['Alerts & silences', '/alerts'], ['Jobs', '/']] as const) {
      await page.click(`nav a:text-is("${link}")`);
      await page.waitForURL(`${base}${path}`);
    }
    await page.locator('#rows tr').first().waitFor({ timeout: 15_000 });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('jobs table: sorted and searched on the server, a hostile name shown as text, a link to each job', async () => {
    const { page, problems, dialogs } = await watchedPage(browser);
    await page.goto(`${base}/`);
    await page.locator('#rows tr').first().waitFor({ timeout: 15_000 });
    const jobs = () => rowData(page, '#rows', 'job');
    expect(await jobs()).toEqual(['team-a/api-tests', 'team-a/integration', 'web/frontend-build', HOSTILE, 'lint', 'team-b/memory-hog']);
    const hostileRow = page.locator('#rows tr').nth(3);
    expect(await hostileRow.locator('td').first().textContent()).toBe(HOSTILE);
    expect(await page.locator('#rows img, img').count()).toBe(0);
    const first = (await tableTexts(page, '#rows'))[0]!;
    expect(first.slice(0, 8)).toEqual(['team-a/api-tests', 'linux-4c', '4', '1.2', '8.00 GiB', '3.00 GiB', '42.0', '50.0']);
    const poll = (want: string[]) => expect.poll(jobs, { timeout: 10_000 }).toEqual(want);
    await page.fill('#filter', 'team-');
    await poll(['team-a/api-tests', 'team-a/integration', 'team-b/memory-hog']);
    expect(await page.locator('#count').textContent()).toBe('3 of 6 jobs');
    await page.selectOption('#severity', 'critical');
    await poll(['team-a/api-tests', 'team-b/memory-hog']);
    await page.selectOption('#severity', '');
    await page.fill('#filter', '');
    await poll(['team-a/api-tests', 'team-a/integration', 'web/frontend-build', HOSTILE, 'lint', 'team-b/memory-hog']);
    await page.click('th[data-sort="name"]');
    await poll([HOSTILE, 'lint', 'team-a/api-tests', 'team-a/integration', 'team-b/memory-hog', 'web/frontend-build']);
    expect(await page.locator('th[data-sort="name"]').getAttribute('aria-sort')).toBe('ascending');
    await page.click('th[data-sort="savings"]');
    await poll(['team-a/api-tests', 'team-a/integration', 'web/frontend-build', HOSTILE, 'lint', 'team-b/memory-hog']);
    await screenshot(page, 'jobs');
    // The hostile job's link opens its page, where the name is the heading's text.
    await page.locator('#rows tr').nth(3).locator('a.job').click();
    await page.waitForURL(/\/job\?name=/);
    await page.locator('#rows tr').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#title').textContent()).toBe(HOSTILE);
    expect(await page.title()).toBe(`${HOSTILE} · rightsize`);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("job page: each build's CPU and memory as points against the request and recommendation lines, queue waits", async () => {
    const { page, problems, dialogs } = await watchedPage(browser);
    await page.goto(`${base}/job?name=${encodeURIComponent(HOSTILE)}`);
    await page.locator('#wait-chart canvas').waitFor({ timeout: 15_000 });
    expect(await page.locator('#title').textContent()).toBe(HOSTILE);
    expect(await page.locator('#rec').textContent()).toMatch(/^rightsize recommends 0\.5 cores and 1\.00 GiB \(requested now: 1 cores, 2\.00 GiB\)/);
    const rows = await tableTexts(page, '#rows');
    expect(rows.length).toBe(28);
    expect(rows[0]![0]).toBe('#28');
    for (const chart of ['#cpu-chart', '#mem-chart']) {
      expect(await seriesPixels(page, chart, ORANGE), `${chart} build points`).toBeGreaterThan(50);
      expect(await seriesPixels(page, chart, BLUE), `${chart} request line`).toBeGreaterThan(100);
      expect(await seriesPixels(page, chart, GREEN), `${chart} recommendation line`).toBeGreaterThan(50);
    }
    expect(await seriesPixels(page, '#wait-chart', PURPLE)).toBeGreaterThan(50);
    expect(await page.locator('img').count()).toBe(0);
    await screenshot(page, 'job-hostile');
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('queue waits by label: a chart per measure and a table of the waits', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/queue`);
    await page.locator('#length-chart canvas').waitFor({ timeout: 15_000 });
    const rows = await tableTexts(page, '#rows');
    expect(rows).toEqual([
      ['linux-4c', '64', '4.0 min', '18.0 min', '27.0 min'],
      ['linux-2c', '120', '1.0 min', '6.0 min', '9.0 min'],
      ['small', '300', '12.0 s', '1.5 min', '2.3 min'],
    ]);
    // One coloured line per label (palette order: linux-4c blue, linux-2c orange, small green).
    expect(await seriesPixels(page, '#wait-chart', BLUE)).toBeGreaterThan(100);
    expect(await seriesPixels(page, '#wait-chart', ORANGE)).toBeGreaterThan(100);
    expect(await seriesPixels(page, '#length-chart', BLUE)).toBeGreaterThan(100);
    expect(await page.locator('#wait-chart .u-legend').textContent()).toContain('linux-4c');
    await screenshot(page, 'queue');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('alerts and silences: creating and expiring needs the write token, refused visibly without it', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/alerts`);
    await page.locator('#alert-rows tr').first().waitFor({ timeout: 15_000 });
    const alerts = await tableTexts(page, '#alert-rows');
    expect(alerts.map((r) => r.slice(0, 3))).toEqual([
      ['queue-wait Builds wait in the queue', 'linux-4c', 'firing'],
      ['cpu-allocation Reserved CPU mostly idle', 'cluster', 'firing'],
      ['nodata-mesos-master No Mesos master documents', '–', 'resolved'],
    ]);
    expect(alerts[0]![4]).toBe('2026-12-07 09:00 UTC');
    expect(alerts[0]![7]).toBe('sil-existing-1');
    expect(await tableTexts(page, '#silence-rows')).toEqual([['sil-existing-1', 'queue-wait', 'linux-4c', '2026-12-07 14:00 UTC', 'ops', 'planned agent upgrade', 'expire']]);
    await page.selectOption('#status-filter', 'resolved');
    await expect.poll(async () => (await tableTexts(page, '#alert-rows')).map((r) => r[0])).toEqual(['nodata-mesos-master No Mesos master documents']);
    await page.selectOption('#status-filter', '');
    await expect.poll(async () => (await tableTexts(page, '#alert-rows')).length).toBe(3);

    // "silence…" on an alert fills the form; without a token the write is refused and says why.
    await page.locator('#alert-rows tr').nth(1).locator('button.silence').click();
    expect(await page.inputValue('#s-rule')).toBe('cpu-allocation');
    expect(await page.inputValue('#s-group')).toBe('cluster');
    await page.fill('#s-by', 'ui-test');
    await page.fill('#s-comment', '<b>not bold</b>');
    await page.click('#silence-form button[type="submit"]');
    const result = page.locator('#write-result');
    await expect.poll(() => result.textContent()).toMatch(/^creating the silence failed: 401 RS_ERR_API_UNAUTHORIZED: no valid token/);
    expect(await result.getAttribute('role')).toBe('alert');
    expect(reads.silences.length).toBe(1);
    await screenshot(page, 'alerts-401');

    // A wrong token: 401 as well; the write token: 201, the silence is listed.
    await page.click('#token-box summary');
    await page.fill('#token', 'not-the-token');
    await page.click('#token-form button[type="submit"]');
    await page.click('#silence-form button[type="submit"]');
    await expect.poll(() => result.textContent()).toMatch(/^creating the silence failed: 401 /);
    await page.fill('#token', WRITE);
    await page.click('#token-form button[type="submit"]');
    expect(await page.locator('#token-state').textContent()).toBe('token set for this tab');
    expect(await page.evaluate('sessionStorage.getItem("rightsize.token")')).toBe(WRITE);
    await page.click('#silence-form button[type="submit"]');
    await expect.poll(() => result.textContent()).toMatch(/^silence sil-1 created for cpu-allocation \/ cluster until 2026-12-07 13:00 UTC$/);
    expect(reads.silences.map((s) => [s.id, s.rule_id, s.group, s.created_by, s.comment])).toContainEqual(['sil-1', 'cpu-allocation', 'cluster', 'ui-test', '<b>not bold</b>']);
    await expect.poll(async () => (await tableTexts(page, '#silence-rows')).map((r) => r[0])).toEqual(['sil-existing-1', 'sil-1']);
    expect(await page.locator('#silence-rows b').count()).toBe(0);
    expect((await tableTexts(page, '#silence-rows'))[1]![5]).toBe('<b>not bold</b>');
    await expect.poll(async () => (await tableTexts(page, '#alert-rows'))[1]![7]).toBe('sil-1');
    // The token outlives a reload (sessionStorage) and expires a silence.
    await page.reload();
    await page.locator('#silence-rows tr[data-silence="sil-1"]').waitFor({ timeout: 15_000 });
    await page.locator('#silence-rows tr[data-silence="sil-1"] button.expire').click();
    await expect.poll(() => result.textContent()).toBe('silence sil-1 expired');
    await expect.poll(async () => (await tableTexts(page, '#silence-rows')).map((r) => r[0])).toEqual(['sil-existing-1']);
    expect(reads.silences.find((s) => s.id === 'sil-1')?.until_ms).toBe(NOW_MS);
    await screenshot(page, 'alerts');
    // Forgetting the token: expiring is refused again, visibly.
    await page.click('#token-box summary');
    await page.click('#token-clear');
    await page.locator('#silence-rows tr[data-silence="sil-existing-1"] button.expire').click();
    await expect.poll(() => result.textContent()).toMatch(/^expiring silence sil-existing-1 failed: 401 /);
    expect(reads.silences.find((s) => s.id === 'sil-existing-1')?.until_ms).toBeGreaterThan(NOW_MS);
    // Only the two refused 401s of the writes appear as console errors (the browser logs failed fetches).
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await page.close();
  });
});

describe('the web UI with read tokens configured', () => {
  let guarded: { app: ReturnType<typeof buildApp>; base: string };
  beforeAll(async () => {
    guarded = await serve(new FixtureReads(), { read: [READ], write: [WRITE] });
  });
  afterAll(async () => {
    await guarded?.app.close();
  });

  it('says a token is needed, reads with the read token, and shows the 403 of a write with it', async () => {
    const { page } = await watchedPage(browser);
    await page.goto(`${guarded.base}/alerts`);
    const box = page.locator('#notice');
    await expect.poll(() => box.textContent(), { timeout: 15_000 }).toMatch(/^cannot load the alerts: RS_ERR_API_UNAUTHORIZED \(401\): .*Enter a token under "API token"/);
    await page.click('#token-box summary');
    await page.fill('#token', READ);
    await page.click('#token-form button[type="submit"]');
    await page.locator('#alert-rows tr').first().waitFor({ timeout: 15_000 });
    await page.fill('#s-rule', 'queue-wait');
    await page.fill('#s-by', 'ui-test');
    await page.click('#silence-form button[type="submit"]');
    await expect.poll(() => page.locator('#write-result').textContent()).toMatch(/^creating the silence failed: 403 RS_ERR_API_FORBIDDEN: the token may not write/);
    await screenshot(page, 'alerts-403');
    // The same tab's token serves the other pages' reads.
    await page.goto(`${guarded.base}/`);
    await page.locator('#rows tr').first().waitFor({ timeout: 15_000 });
    await page.close();
  });
});

describe('the web UI without data', () => {
  let bare: { app: ReturnType<typeof buildApp>; base: string };
  beforeAll(async () => {
    const cache = new RecommendationCache({ load: () => Promise.resolve({ docs: [], skipped: 0 }), clock });
    await cache.refresh();
    const a = buildApp({ cache, reads: new FixtureReads({ empty: true }), clock, staleAfterMs: 600_000, version: 'ui-test' });
    bare = { app: a, base: await a.listen({ host: '127.0.0.1', port: 0 }) };
  });
  afterAll(async () => {
    await bare?.app.close();
  });

  it('each page says what to configure', async () => {
    const { page, problems } = await watchedPage(browser);
    const want: Array<[string, string, RegExp]> = [
      ['/', '#status', /^no recommendations yet: run rightsize collect .*then rightsize analyze/],
      ['/cluster', '#notice', /^no cluster documents yet: run rightsize collect with a Mesos master target \(mesos\.masters/],
      ['/queue', '#notice', /^no queue documents or builds in this range: run rightsize collect with a Jenkins target \(jenkins\.url\)/],
      ['/alerts', '#notice', /^no alerts yet: the alert engine runs inside rightsize serve \(alerts\.enabled\)/],
      ['/job?name=lint', '#notice', /^no builds of this job in this range: .*Jenkins target \(jenkins\.url\)/],
    ];
    for (const [path, sel, text] of want) {
      await page.goto(`${bare.base}${path}`);
      await expect.poll(() => page.locator(sel).textContent(), { timeout: 15_000 }).toMatch(text);
      expect(await page.locator(`${sel}.empty`).count(), path).toBe(1);
    }
    expect(await page.locator('#rec').textContent()).toMatch(/^no recommendation for this job yet/);
    await screenshot(page, 'empty-job');
    // The job page asks for a recommendation that does not exist: the browser logs that 404.
    expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
    await page.close();
  });
});
