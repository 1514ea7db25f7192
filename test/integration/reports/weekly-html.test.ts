import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEFAULT_POLICY, generateTrace } from '../../../src/analysis/index.js';
import type { BuildDoc } from '../../../src/model/index.js';
import { figuresFromBuilds, isoWeekOf, renderHtml } from '../../../src/reports/index.js';
import { launchChromium } from '../../support/browser.js';
import { REPO_ROOT } from '../../support/env.js';

const HOSTILE = '<script>alert(1)</script>';
/** Kept after the run (git-ignored) so a person can look at the report as a mail reader would. */
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

describe('the weekly report HTML in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders without script or outside request, shows the hostile name as text, and is screenshotted', async () => {
    const docs: BuildDoc[] = generateTrace({ jobs: 30, buildsPerJob: 50, seed: 3, days: 35, startMs: Date.parse('2026-10-12T00:00:00Z') });
    // Rename one job to a hostile name (all its builds).
    const victim = docs[0]!.jenkins.job.name;
    const hostileDocs = docs.map((d) => (d.jenkins.job.name === victim ? { ...d, jenkins: { ...d.jenkins, job: { name: HOSTILE } } } : d));
    const newest = Math.max(...docs.map((d) => d.build.end));
    const week = isoWeekOf(newest - 7 * 86_400_000, 'UTC');
    const f = figuresFromBuilds(hostileDocs, { week, timeZone: 'UTC', policy: DEFAULT_POLICY, planK: 4, topJobs: 30, generatedAtMs: newest, prices: { perCoreHour: 0.04, perGibHour: 0.005, currency: 'EUR' } });
    expect(f.jobs.some((j) => j.job === HOSTILE)).toBe(true);
    const html = renderHtml(f);

    const page = await browser.newPage({ viewport: { width: 1024, height: 800 }, javaScriptEnabled: true });
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.setContent(html, { waitUntil: 'load' });
    const text = await page.innerText('body');
    expect(text).toContain(HOSTILE);
    expect(dialogs).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(3);
    for (const h of ['1. Reserved vs used', '2. The 30 jobs', '3. Jobs at risk', '4. Queue waits', '5. Label plan', '6. Capacity forecast', '7. Collection health'])
      expect(text).toContain(h);
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = join(ARTIFACTS, 'weekly-report.png');
    await page.screenshot({ path: png, fullPage: true });
    expect(statSync(png).size).toBeGreaterThan(10_000);

    // Nothing wider than the viewport (a mail reader's pane).
    const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(scrollWidth).toBeLessThanOrEqual(1024);
    await page.close();
  });
});
