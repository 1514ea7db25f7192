import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp, RecommendationCache } from '../../../src/api/index.js';
import type { RecommendationDoc } from '../../../src/model/index.js';
import { launchChromium } from '../../support/browser.js';
import { screenshot } from './support.js';

/** The web UI of `rightsize serve` in a real Chromium: the table, the filter, the job question, hostile names. */

const MiB = 1024 * 1024;
const HOSTILE = 'evil/<img src=x onerror="window.pwned=1">';
function rec(key: string, cpuNow: number, cpu: number, memMiB: number, coreHours: number): RecommendationDoc {
  return {
    '@timestamp': '2026-12-03T06:00:00.000Z',
    workload: { kind: 'jenkins.job', key },
    jenkins: { job: { name: key }, label: key.startsWith('team-a') ? 'linux-2c' : 'small' },
    current: { cpu_cores: cpuNow, memory_bytes: 2048 * MiB },
    recommended: { cpu_cores: cpu, memory_bytes: memMiB * MiB },
    basis: { builds: 12, window_days: 30 },
    confidence: 'medium',
    reasons: cpu > cpuNow ? ['oom_seen'] : [],
    savings: { cpu_core_hours_per_week: coreHours, memory_gib_hours_per_week: 1.5 },
    severity: 'critical',
  };
}
const DOCS = [rec('team-a/api-tests', 2, 0.7, 512, 40), rec('lint', 0.5, 0.3, 640, 2), rec('team-a/memory-hog', 0.5, 0.6, 1280, -1), rec(HOSTILE, 1, 0.5, 512, 5)];

let app: ReturnType<typeof buildApp>;
let browser: Browser;
let page: Page;
let base: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  const cache = new RecommendationCache({ load: () => Promise.resolve({ docs: DOCS, skipped: 0 }) });
  await cache.refresh();
  app = buildApp({ cache, staleAfterMs: 600_000, version: 'ui-test' });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${base}/`);
  await page.locator('#rows tr').first().waitFor({ timeout: 15_000 });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const rowJobs = async (): Promise<string[]> => {
  const rows = page.locator('#rows tr');
  const out: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).getAttribute('data-job')) ?? '');
  return out;
};

describe('the web UI', () => {
  it('lists every job, largest weekly savings first, with now → recommended', async () => {
    expect(await rowJobs()).toEqual(['team-a/api-tests', HOSTILE, 'lint', 'team-a/memory-hog']);
    const first = await page.locator('#rows tr').first().locator('td').allTextContents();
    expect(first.slice(0, 8)).toEqual(['team-a/api-tests', 'linux-2c', '2', '0.7', '2.00 GiB', '0.50 GiB', '40.0', '1.5']);
    expect(await page.locator('#status').textContent()).toMatch(/^4 jobs with a recommendation/);
    // A raise is marked as such (the OOM-prone job gets more CPU than it has).
    expect(await page.locator('#rows tr[data-job="team-a/memory-hog"] td.up').count()).toBe(1);
  });

  it('shows a hostile job name as text: no element injected, no script run', async () => {
    const cellText = await page.locator('#rows tr').nth(1).locator('td').first().textContent();
    expect(cellText).toBe(HOSTILE);
    expect(await page.locator('#rows img').count()).toBe(0);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
  });

  it('filters by part of a job name or label (on the server), and sorts by a column header', async () => {
    const poll = (want: unknown) => expect.poll(rowJobs, { timeout: 10_000 }).toEqual(want);
    await page.fill('#filter', 'team-a');
    await poll(['team-a/api-tests', 'team-a/memory-hog']);
    expect(await page.locator('#count').textContent()).toBe('2 of 4 jobs');
    await page.fill('#filter', 'small');
    await poll([HOSTILE, 'lint']);
    await page.fill('#filter', '');
    await poll(['team-a/api-tests', HOSTILE, 'lint', 'team-a/memory-hog']);
    await page.click('th[data-sort="name"]');
    await poll(['evil/<img src=x onerror="window.pwned=1">', 'lint', 'team-a/api-tests', 'team-a/memory-hog']);
    await page.click('th[data-sort="name"]');
    await poll(['team-a/memory-hog', 'team-a/api-tests', 'lint', HOSTILE]);
    await page.click('th[data-sort="savings"]');
    await poll(['team-a/api-tests', HOSTILE, 'lint', 'team-a/memory-hog']);
  });

  it('loads with no console errors and no CSP violations', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('answers "what should job X get?" from the API, and says so when a job has no recommendation', async () => {
    await page.fill('#job', 'team-a/api-tests');
    await page.click('#ask button');
    await expect.poll(() => page.locator('#answer').textContent(), { timeout: 10_000 }).toBe(
      'team-a/api-tests: 0.7 cores and 0.50 GiB (now 2 cores, 2.00 GiB); confidence medium, from 12 builds',
    );
    await page.fill('#job', 'nobody/knows');
    await page.click('#ask button');
    await expect.poll(() => page.locator('#answer').textContent(), { timeout: 10_000 }).toMatch(/^no recommendation for job "nobody\/knows" yet/);
    expect(await page.locator('#answer').getAttribute('class')).toBe('missing');
    await screenshot(page, 'jobs-ask');
  });
});
