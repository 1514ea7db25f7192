import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ALERTS_JS } from './client/alerts.js';
import { CLUSTER_JS } from './client/cluster.js';
import { COMMON_JS } from './client/common.js';
import { JOB_JS } from './client/job.js';
import { JOBS_JS } from './client/jobs.js';
import { QUEUE_JS } from './client/queue.js';
import { uiPages } from './pages.js';
import { UI_CSS } from './style.js';

/** One file the UI serves: its body, type, strong ETag and caching policy. */
export interface UiAsset {
  readonly path: string;
  readonly type: string;
  readonly body: string;
  readonly etag: string;
  /** `no-cache` (revalidate with the ETag) for pages and the UI's own files; a year, immutable, for the versioned chart library. */
  readonly cacheControl: string;
}

const REVALIDATE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

function asset(path: string, type: string, body: string, cacheControl: string): UiAsset {
  return { path, type, body, cacheControl, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/**
 * uPlot's browser build and stylesheet, read once from the installed npm package (never a CDN),
 * served under a path holding its version so browsers may keep them for a year.
 */
function uplotFiles(): { version: string; js: string; css: string } {
  const require = createRequire(import.meta.url);
  // The package's entry is dist/uPlot.cjs.js: its folder holds the IIFE build and the CSS.
  const dist = dirname(require.resolve('uplot'));
  const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string' || !/^[0-9A-Za-z.+-]+$/.test(pkg.version)) throw new Error('the uplot package has no readable version');
  return { version: pkg.version, js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'), css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8') };
}

let built: readonly UiAsset[] | undefined;

/** Every page and file of the web UI (built once per process). */
export function uiAssets(): readonly UiAsset[] {
  if (built !== undefined) return built;
  const uplot = uplotFiles();
  const uplotJs = `ui/vendor/uplot-${uplot.version}.min.js`;
  const uplotCss = `ui/vendor/uplot-${uplot.version}.min.css`;
  built = [
    ...uiPages({ uplotJs, uplotCss }).map((p) => asset(p.path, HTML, p.html, REVALIDATE)),
    asset('/ui/app.css', CSS, UI_CSS, REVALIDATE),
    asset('/ui/common.js', JS, COMMON_JS, REVALIDATE),
    asset('/ui/jobs.js', JS, JOBS_JS, REVALIDATE),
    asset('/ui/cluster.js', JS, CLUSTER_JS, REVALIDATE),
    asset('/ui/job.js', JS, JOB_JS, REVALIDATE),
    asset('/ui/queue.js', JS, QUEUE_JS, REVALIDATE),
    asset('/ui/alerts.js', JS, ALERTS_JS, REVALIDATE),
    asset(`/${uplotJs}`, JS, uplot.js, IMMUTABLE),
    asset(`/${uplotCss}`, CSS, uplot.css, IMMUTABLE),
  ];
  return built;
}
