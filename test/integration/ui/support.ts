import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../support/env.js';

/** Screenshots of the UI tests, kept after the run (git-ignored) for a person to look at. */
export const UI_ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'ui');

/** A page that records console errors, page errors (CSP violations show as console errors) and dialogs. */
export async function watchedPage(browser: Browser): Promise<{ page: Page; problems: string[]; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, problems, dialogs };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(UI_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(UI_ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Pixels of a chart's canvas drawn in a colour near `rgb` (a series colour): axes and grid are
 * grey, so a count above zero means the series itself was drawn.
 */
export function seriesPixels(page: Page, selector: string, rgb: readonly [number, number, number]): Promise<number> {
  // Runs in the page (the project compiles without the DOM library, so the code is a string).
  const code = `(() => {
    const c = document.querySelector(${JSON.stringify(`${selector} canvas`)});
    if (!(c instanceof HTMLCanvasElement) || c.width === 0 || c.height === 0) return -1;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const [r, g, b] = ${JSON.stringify(rgb)};
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 128 && Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40) n++;
    return n;
  })()`;
  return page.evaluate<number>(code);
}

/** The text of each cell of a table body's rows. */
export function tableTexts(page: Page, tbody: string): Promise<string[][]> {
  return page.evaluate<string[][]>(`[...document.querySelectorAll(${JSON.stringify(`${tbody} tr`)})].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent))`);
}

/** The `data-<key>` of each row of a table body. */
export function rowData(page: Page, tbody: string, key: string): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll(${JSON.stringify(`${tbody} tr`)})].map((tr) => tr.dataset[${JSON.stringify(key)}])`);
}

export const ORANGE = [0xd9, 0x48, 0x0f] as const;
export const BLUE = [0x1f, 0x6f, 0xeb] as const;
export const GREEN = [0x2b, 0x8a, 0x3e] as const;
export const PURPLE = [0x86, 0x2e, 0x9c] as const;
