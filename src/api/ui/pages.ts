/**
 * The HTML of each page of the web UI. The pages hold no data: each one's script (under `/ui/`)
 * fetches it from the API and puts every value in the page as text, so a job named
 * `<img onerror=…>` shows as its name. No inline script or style (the CSP forbids both).
 */

/** A page of the UI: its path, its nav key and the script that fills it. */
export interface UiPage {
  readonly path: string;
  readonly key: 'jobs' | 'cluster' | 'job' | 'queue' | 'alerts';
  readonly html: string;
}

const RANGE = (def: string, choices: ReadonlyArray<readonly [string, string]>): string =>
  `<label for="range">Range</label> <select id="range">${choices.map(([v, t]) => `<option value="${v}"${v === def ? ' selected' : ''}>${t}</option>`).join('')}</select>`;
const SHORT = [['now-6h', 'last 6 hours'], ['now-24h', 'last 24 hours'], ['now-7d', 'last 7 days'], ['now-30d', 'last 30 days']] as const;
const LONG = [['now-24h', 'last 24 hours'], ['now-7d', 'last 7 days'], ['now-30d', 'last 30 days'], ['now-93d', 'last 93 days']] as const;

function shell(title: string, script: string, main: string, assets: { readonly uplotJs: string; readonly uplotCss: string }, charts: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · rightsize</title>
<link rel="icon" href="data:,">
${charts ? `<link rel="stylesheet" href="${assets.uplotCss}">\n` : ''}<link rel="stylesheet" href="ui/app.css">
</head>
<body>
<header>
<nav id="nav" aria-label="pages"><strong>rightsize</strong>
<a href="./" data-page="jobs">Jobs</a>
<a href="cluster" data-page="cluster">Cluster</a>
<a href="queue" data-page="queue">Queue waits</a>
<a href="alerts" data-page="alerts">Alerts &amp; silences</a>
</nav>
<details id="token-box"><summary>API token</summary>
<form id="token-form">
<label for="token">Bearer token</label> <input id="token" type="password" autocomplete="off" placeholder="read or write token">
<button type="submit">use for this tab</button> <button type="button" id="token-clear">forget</button> <span id="token-state"></span>
</form>
</details>
</header>
<main>
${main}
</main>
${charts ? `<script src="${assets.uplotJs}"></script>\n` : ''}<script src="ui/common.js"></script>
<script src="ui/${script}.js"></script>
</body>
</html>
`;
}

const JOBS_MAIN = `<h1>Jobs</h1>
<div class="sub" id="status">loading…</div>
<form id="ask">
  <label for="job">What should job</label>
  <input id="job" name="job" placeholder="folder/job-name" autocomplete="off" required>
  <button type="submit">get?</button>
</form>
<div id="answer" role="status" hidden></div>
<form id="filter-form">
  <label for="filter">Search</label>
  <input id="filter" type="search" placeholder="part of a job name or label" autocomplete="off">
  <label for="severity">severity</label>
  <select id="severity"><option value="">any</option><option value="critical">critical</option><option value="warning">warning</option><option value="ok">ok</option></select>
  <span id="count"></span>
  <button type="button" id="prev">‹ prev</button><span id="page"></span><button type="button" id="next">next ›</button>
</form>
<table>
  <thead><tr>
    <th data-sort="name" tabindex="0">job</th><th>label</th>
    <th class="num">CPU now</th><th class="num">CPU rec.</th>
    <th class="num">memory now</th><th class="num">memory rec.</th>
    <th class="num" data-sort="savings" tabindex="0" aria-sort="descending">core-h/week saved</th><th class="num" data-sort="memory_savings" tabindex="0">GiB-h/week saved</th>
    <th>confidence</th><th>severity</th><th>reasons</th>
  </tr></thead>
  <tbody id="rows"></tbody>
</table>`;

const CLUSTER_MAIN = `<h1>Cluster</h1>
<form id="controls">${RANGE('now-24h', SHORT)}</form>
<div id="notice" hidden></div>
<dl id="now" class="cards"></dl>
<section><h2>CPU: allocated vs used</h2><div id="cpu-chart" class="chart"></div></section>
<section><h2>Memory: allocated vs used</h2><div id="mem-chart" class="chart"></div></section>
<section><h2>Agents</h2><div id="agents-chart" class="chart"></div></section>`;

const JOB_MAIN = `<h1 id="title">Job</h1>
<form id="controls">${RANGE('now-30d', LONG)}</form>
<div id="rec" class="sub"></div>
<div id="notice" hidden></div>
<section><h2>CPU per build</h2><p class="sub">Each point is a build's 95th-percentile CPU; the lines are what it requested and what rightsize recommends.</p><div id="cpu-chart" class="chart"></div></section>
<section><h2>Memory per build</h2><p class="sub">Each point is a build's peak memory.</p><div id="mem-chart" class="chart"></div></section>
<section><h2>Queue wait per build</h2><div id="wait-chart" class="chart"></div></section>
<section><h2>Builds</h2>
<table>
  <thead><tr><th class="num">build</th><th>result</th><th>label</th><th>started</th><th class="num">duration</th><th class="num">queue wait</th>
  <th class="num">CPU req.</th><th class="num">CPU p95</th><th class="num">memory req.</th><th class="num">memory peak</th><th class="num">throttled</th><th>OOM</th></tr></thead>
  <tbody id="rows"></tbody>
</table></section>`;

const QUEUE_MAIN = `<h1>Queue waits by label</h1>
<form id="controls">${RANGE('now-24h', LONG)}</form>
<div id="notice" hidden></div>
<section><h2>Oldest waiting build, by label</h2><div id="wait-chart" class="chart"></div></section>
<section><h2>Queue length, by label</h2><div id="length-chart" class="chart"></div></section>
<section><h2>Waits of the builds that started</h2>
<table>
  <thead><tr><th>label</th><th class="num">builds</th><th class="num">wait p50</th><th class="num">wait p95</th><th class="num">wait max</th></tr></thead>
  <tbody id="rows"></tbody>
</table></section>`;

const ALERTS_MAIN = `<h1>Alerts &amp; silences</h1>
<form id="controls"><label for="status-filter">Show</label> <select id="status-filter"><option value="">all alerts</option><option value="firing">firing</option><option value="resolved">resolved</option></select></form>
<div id="notice" hidden></div>
<section><h2>Alerts</h2>
<table>
  <thead><tr><th>rule</th><th>group</th><th>state</th><th>severity</th><th>since</th><th class="num">value</th><th class="num">threshold</th><th>silenced by</th><th></th></tr></thead>
  <tbody id="alert-rows"></tbody>
</table></section>
<section><h2>Active silences</h2>
<table>
  <thead><tr><th>id</th><th>rule</th><th>group</th><th>until</th><th>by</th><th>comment</th><th></th></tr></thead>
  <tbody id="silence-rows"></tbody>
</table></section>
<section><h2>New silence</h2>
<p class="sub">Silencing and expiring need a write token (enter it under "API token" above; it is kept in this tab's sessionStorage and sent as a bearer token).</p>
<form id="silence-form" class="grid">
  <label for="s-rule">rule id</label><input id="s-rule" required maxlength="256" autocomplete="off">
  <label for="s-group">group (empty: all)</label><input id="s-group" maxlength="1024" autocomplete="off">
  <label for="s-duration">for</label><select id="s-duration"><option value="3600000">1 hour</option><option value="14400000">4 hours</option><option value="86400000">1 day</option><option value="604800000">7 days</option></select>
  <label for="s-by">created by</label><input id="s-by" required maxlength="256" autocomplete="off">
  <label for="s-comment">comment</label><input id="s-comment" maxlength="4096" autocomplete="off">
  <span></span><button type="submit">silence</button>
</form>
<div id="write-result" hidden></div>
</section>`;

/** Every page of the UI, with the asset paths of the bundled chart library. */
export function uiPages(assets: { readonly uplotJs: string; readonly uplotCss: string }): readonly UiPage[] {
  return [
    { path: '/', key: 'jobs', html: shell('Jobs', 'jobs', JOBS_MAIN, assets, false) },
    { path: '/cluster', key: 'cluster', html: shell('Cluster', 'cluster', CLUSTER_MAIN, assets, true) },
    { path: '/job', key: 'job', html: shell('Job', 'job', JOB_MAIN, assets, true) },
    { path: '/queue', key: 'queue', html: shell('Queue waits', 'queue', QUEUE_MAIN, assets, true) },
    { path: '/alerts', key: 'alerts', html: shell('Alerts', 'alerts', ALERTS_MAIN, assets, false) },
  ];
}
