import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, RecommendationCache } from '../../../../src/api/index.js';
import { uiAssets } from '../../../../src/api/ui/assets.js';

/** The UI's pages and files as served: types, caching, ETags, the CSP, and nothing that renders data as markup. */

let app: ReturnType<typeof buildApp>;
beforeAll(async () => {
  const cache = new RecommendationCache({ load: () => Promise.resolve({ docs: [], skipped: 0 }) });
  await cache.refresh();
  app = buildApp({ cache, staleAfterMs: 600_000, version: 'ui-unit' });
});
afterAll(async () => {
  await app.close();
});

const uplotDist = dirname(createRequire(import.meta.url).resolve('uplot'));
const uplotVersion = (JSON.parse(readFileSync(join(uplotDist, '..', 'package.json'), 'utf8')) as { version: string }).version;
const PAGES = ['/', '/cluster', '/job', '/queue', '/alerts'];

describe('the web UI routes', () => {
  it('serves each page as HTML with the strict CSP and security headers, revalidated by ETag', async () => {
    for (const url of PAGES) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type'], url).toBe('text/html; charset=utf-8');
      const csp = String(r.headers['content-security-policy']);
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("style-src 'self'");
      expect(csp, url).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['cache-control']).toBe('no-cache');
      // No inline script, no inline style, no event-handler attributes.
      expect(r.body, url).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(r.body, url).not.toMatch(/<style|\sstyle=|\son[a-z]+=/);
      const again = await app.inject({ url, headers: { 'if-none-match': String(r.headers['etag']) } });
      expect(again.statusCode, url).toBe(304);
      expect(again.body).toBe('');
    }
  });

  it('every script and stylesheet a page names is served from this origin with its content type', async () => {
    for (const url of PAGES) {
      const html = (await app.inject({ url })).body;
      const refs = [...html.matchAll(/<script src="([^"]+)"|<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1] ?? m[2] ?? '');
      expect(refs.length, url).toBeGreaterThanOrEqual(3);
      for (const ref of refs) {
        expect(ref, `${url} names ${ref}`).toMatch(/^ui\//);
        const r = await app.inject({ url: `/${ref}` });
        expect(r.statusCode, ref).toBe(200);
        expect(r.headers['content-type'], ref).toBe(ref.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      }
    }
  });

  it("bundles uPlot from node_modules under its version, cached for a year", async () => {
    const js = await app.inject({ url: `/ui/vendor/uplot-${uplotVersion}.min.js` });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe(readFileSync(join(uplotDist, 'uPlot.iife.min.js'), 'utf8'));
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await app.inject({ url: `/ui/vendor/uplot-${uplotVersion}.min.css` });
    expect(css.body).toBe(readFileSync(join(uplotDist, 'uPlot.min.css'), 'utf8'));
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await app.inject({ url: '/cluster' })).body).toContain(`<script src="ui/vendor/uplot-${uplotVersion}.min.js"></script>`);
    expect((await app.inject({ url: '/ui/vendor/uplot-0.0.0.min.js' })).statusCode).toBe(404);
  });

  it("the UI's own scripts never write markup from strings", () => {
    const own = uiAssets().filter((a) => a.path.startsWith('/ui/') && a.path.endsWith('.js') && !a.path.includes('/vendor/'));
    expect(own.map((a) => a.path).sort()).toEqual(['/ui/alerts.js', '/ui/cluster.js', '/ui/common.js', '/ui/job.js', '/ui/jobs.js', '/ui/queue.js']);
    for (const a of own) expect(a.body, a.path).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    const etags = uiAssets().map((a) => a.etag);
    expect(new Set(etags).size).toBe(etags.length);
  });
});
