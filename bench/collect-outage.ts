/**
 * Bench (issue 14, item 1): do build summaries survive Elasticsearch being away, slow, or the
 * collector being killed? Runs the BUILT CLI (`npm run build` first) as an operator would:
 * `rightsize emulate --scenario demo` and `rightsize collect --metrics-port 0`, with the
 * collector talking to Elasticsearch through a loopback proxy that this script controls:
 *
 *   1. warm-up      BENCH_WARMUP_S (60)   proxy forwards;
 *   2. outage       BENCH_OUTAGE_S (120)  proxy refuses connections (what a stopped ES looks like
 *                                          to the client: ECONNREFUSED); with BENCH_OUTAGE=stop the
 *                                          Elasticsearch itself is stopped (scripts/es.sh stop on the
 *                                          URL's port) and started again for the recovery;
 *   3. recovery     BENCH_RECOVER_S (150) proxy forwards;
 *   4. slow         BENCH_SLOW_S (150)    proxy answers every `_search` after BENCH_SEARCH_DELAY_MS (6000);
 *   5. kill         SIGKILL the collector, restart it after BENCH_KILL_GAP_S (20) (state file kept);
 *   6. drain        BENCH_DRAIN_S (120)   proxy forwards; then SIGTERM (exit code printed).
 *
 * Then it compares the builds the emulated Jenkins finished in the observed period (ended at least
 * 30 s after the collector started and at least 60 s before the drain ends) with the `builds`
 * documents in Elasticsearch, counted by `_id` and by job#number. Prints numbers; asserts nothing.
 *
 *   RIGHTSIZE_TEST_ES_URL=http://127.0.0.1:9400 npx tsx bench/collect-outage.ts
 *   BENCH_USAGE=docker DOCKER_HOST=unix:///… npx tsx bench/collect-outage.ts   # real containers
 *
 * BENCH_USAGE defaults to `model` (usage from the scenario profile, no containers): on a shared
 * 2-core machine the containers of the demo would disturb the timing more than they test here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { deleteTemplates } from '../src/store/index.js';

const ES_URL = new URL(process.env['RIGHTSIZE_TEST_ES_URL'] ?? 'http://127.0.0.1:9200');
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const WARMUP_S = env('BENCH_WARMUP_S', 60);
const OUTAGE_S = env('BENCH_OUTAGE_S', 120);
const RECOVER_S = env('BENCH_RECOVER_S', 150);
const SLOW_S = env('BENCH_SLOW_S', 150);
const SEARCH_DELAY_MS = env('BENCH_SEARCH_DELAY_MS', 6000);
const KILL_GAP_S = env('BENCH_KILL_GAP_S', 20);
const DRAIN_S = env('BENCH_DRAIN_S', 120);
const USAGE = process.env['BENCH_USAGE'] ?? 'model';
/** `stop`: the outage stops the real Elasticsearch (scripts/es.sh) instead of refusing at the proxy. */
const REAL_STOP = process.env['BENCH_OUTAGE'] === 'stop';

/** Stops or starts the local Elasticsearch of ES_URL's port with the project's script. */
function esScript(cmd: 'stop' | 'start'): void {
  const t = Date.now();
  const r = spawnSync('bash', ['scripts/es.sh', cmd], { env: { ...process.env, RIGHTSIZE_ES_PORT: ES_URL.port || '9200' }, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`scripts/es.sh ${cmd} exited ${r.status}`);
  console.log(`   scripts/es.sh ${cmd}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
const REPO = join(import.meta.dirname, '..');
const CLI = join(REPO, 'bin', 'rightsize.js');

type Mode = 'forward' | 'refuse' | 'slow';

/** A loopback HTTP proxy in front of Elasticsearch that can refuse connections or delay `_search`. */
class EsProxy {
  mode: Mode = 'forward';
  searchesDelayed = 0;
  private _server: Server | undefined;
  private readonly _sockets = new Set<Socket>();
  port = 0;

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this._handle(req, res));
    server.on('connection', (s) => {
      this._sockets.add(s);
      s.on('close', () => this._sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', () => r()));
    this.port = (server.address() as AddressInfo).port;
    this._server = server;
  }

  /** Stops listening and cuts every connection: new requests get ECONNREFUSED. */
  async refuse(): Promise<void> {
    this.mode = 'refuse';
    const s = this._server;
    this._server = undefined;
    for (const sock of this._sockets) sock.destroy();
    if (s) {
      const closed = new Promise<void>((r) => s.close(() => r()));
      s.closeAllConnections();
      await Promise.race([closed, sleep(2_000)]);
    }
  }

  async forward(mode: Mode = 'forward'): Promise<void> {
    this.mode = mode;
    if (!this._server) await this.listen();
  }

  async close(): Promise<void> {
    await this.refuse();
  }

  private async _handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.mode === 'slow' && (req.url ?? '').includes('/_search')) {
      this.searchesDelayed++;
      await sleep(SEARCH_DELAY_MS);
    }
    const up = request({ host: ES_URL.hostname, port: ES_URL.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  }
}

function startProcess(args: string[], cwd: string, onLine: (line: string) => void): ChildProcess {
  const p = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RIGHTSIZE_LOG_LEVEL: 'info' } });
  let buf = '';
  const feed = (d: Buffer): void => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  };
  p.stdout.on('data', feed);
  p.stderr.on('data', feed);
  return p;
}

async function waitFor<T>(what: string, deadlineMs: number, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Collector {
  proc: ChildProcess;
  metricsUrl: string;
  startedMs: number;
  lines: string[];
}

async function startCollector(config: string, cwd: string): Promise<Collector> {
  const lines: string[] = [];
  const startedMs = Date.now();
  const proc = startProcess(['collect', '--config', config, '--metrics-port', '0'], cwd, (l) => lines.push(l));
  const metricsUrl = await waitFor('the metrics address', 60_000, () => lines.map((l) => /"address":"(http:\/\/[^"]+)"/.exec(l)?.[1]).find((x) => x !== undefined));
  return { proc, metricsUrl, startedMs, lines };
}

async function metric(c: Collector, pattern: RegExp): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${c.metricsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const m = pattern.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function buildMetrics(c: Collector): Promise<Record<string, number | undefined>> {
  return {
    received: await metric(c, /^rightsize_builds_received_total (\S+)$/m),
    written: await metric(c, /^rightsize_builds_written_total (\S+)$/m),
    pending: await metric(c, /^rightsize_builds_pending (\S+)$/m),
    retries: await metric(c, /^rightsize_builds_retries_total (\S+)$/m),
    resumed: await metric(c, /^rightsize_builds_resumed_total (\S+)$/m),
    withoutSamples: await metric(c, /^rightsize_builds_without_samples_total (\S+)$/m),
    withoutRequest: await metric(c, /^rightsize_builds_without_request_total (\S+)$/m),
    droppedOverflow: await metric(c, /^rightsize_builds_dropped_total\{reason="overflow"\} (\S+)$/m),
    droppedExpired: await metric(c, /^rightsize_builds_dropped_total\{reason="expired"\} (\S+)$/m),
    droppedRejected: await metric(c, /^rightsize_builds_dropped_total\{reason="rejected"\} (\S+)$/m),
    sinkDropped: await metric(c, /^rightsize_sink_dropped_documents_total (\S+)$/m),
  };
}

interface JenkinsBuild {
  readonly key: string;
  readonly endMs: number;
}

async function finishedBuilds(jenkins: { url: string; user: string; token: string }): Promise<JenkinsBuild[]> {
  const auth = `Basic ${Buffer.from(`${jenkins.user}:${jenkins.token}`).toString('base64')}`;
  const tree = 'jobs[name,builds[number,timestamp,duration,building]]';
  const res = await fetch(`${jenkins.url.replace(/\/$/, '')}/api/json?tree=${encodeURIComponent(tree)}`, { headers: { authorization: auth }, signal: AbortSignal.timeout(30_000) });
  const body = (await res.json()) as { jobs?: { name: string; builds?: { number: number; timestamp: number; duration: number; building: boolean }[] }[] };
  return (body.jobs ?? []).flatMap((j) => (j.builds ?? []).filter((b) => !b.building).map((b) => ({ key: `${j.name}#${b.number}`, endMs: b.timestamp + b.duration })));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rs-bench-outage-'));
  const prefix = `bench-outage-${Date.now().toString(36)}`;
  const proxy = new EsProxy();
  await proxy.listen();
  const es = new Client({ node: ES_URL.toString() });
  const procs: ChildProcess[] = [];
  try {
    const emLines: string[] = [];
    const emArgs = ['emulate', '--scenario', 'demo', '--usage', USAGE, ...(process.env['DOCKER_HOST'] ? ['--docker-host', process.env['DOCKER_HOST']] : [])];
    const em = startProcess(emArgs, dir, (l) => emLines.push(l));
    procs.push(em);
    const urls = await waitFor('the emulator URLs', 120_000, () =>
      emLines.map((l) => (l.startsWith('{"mode"') ? (JSON.parse(l) as { mode: string; masters: string[]; jenkins: { url: string; user: string; token: string }; dockerHost?: string }) : undefined)).find((x) => x !== undefined),
    );
    console.log(`emulator: mode ${urls.mode}, masters ${urls.masters.join(',')}, jenkins ${urls.jenkins.url}`);
    const config = join(dir, 'rightsize.yaml');
    writeFileSync(
      config,
      [
        'elasticsearch:',
        `  url: http://127.0.0.1:${proxy.port}`,
        `  indexPrefix: ${prefix}`,
        '  replicas: 0',
        'mesos:',
        `  masters: [${urls.masters.map((m) => JSON.stringify(m)).join(', ')}]`,
        'jenkins:',
        `  url: ${JSON.stringify(urls.jenkins.url)}`,
        `  username: ${JSON.stringify(urls.jenkins.user)}`,
        `  token: ${JSON.stringify(urls.jenkins.token)}`,
        ...(urls.dockerHost ? ['docker:', `  hosts: [${JSON.stringify(urls.dockerHost)}]`] : []),
        'collect:',
        `  stateDir: ${JSON.stringify(join(dir, 'state'))}`,
        '',
      ].join('\n'),
    );
    let c = await startCollector(config, dir);
    procs.push(c.proc);
    const t0 = c.startedMs;
    const phase = async (name: string, seconds: number): Promise<void> => {
      console.log(`[${Math.round((Date.now() - t0) / 1000)} s] ${name} for ${seconds} s`);
      await sleep(seconds * 1000);
      console.log(`   builds: ${JSON.stringify(await buildMetrics(c))}`);
    };
    await phase('warm-up (forwarding)', WARMUP_S);
    if (REAL_STOP) esScript('stop');
    else await proxy.refuse();
    const health = (await (await fetch(`${c.metricsUrl}/healthz`, { signal: AbortSignal.timeout(10_000) })).json()) as Record<string, unknown>;
    await phase(REAL_STOP ? 'OUTAGE (Elasticsearch stopped)' : 'OUTAGE (connections refused)', OUTAGE_S);
    console.log(`   /healthz during the outage: ${JSON.stringify((await (await fetch(`${c.metricsUrl}/healthz`, { signal: AbortSignal.timeout(10_000) })).json() as Record<string, unknown>)['store'])} (before: ${JSON.stringify(health['store'])})`);
    if (REAL_STOP) esScript('start');
    else await proxy.forward();
    await phase('recovery (forwarding)', RECOVER_S);
    await proxy.forward('slow');
    const writtenBeforeSlow = (await buildMetrics(c)).written ?? 0;
    await phase(`SLOW (each _search answered after ${SEARCH_DELAY_MS} ms)`, SLOW_S);
    const writtenInSlow = ((await buildMetrics(c)).written ?? 0) - writtenBeforeSlow;
    console.log(`   builds written during the slow phase: ${writtenInSlow} (searches delayed: ${proxy.searchesDelayed})`);
    await proxy.forward();
    const beforeKill = await buildMetrics(c);
    console.log(`[${Math.round((Date.now() - t0) / 1000)} s] SIGKILL the collector (pending ${beforeKill.pending}); restart in ${KILL_GAP_S} s`);
    c.proc.kill('SIGKILL');
    await sleep(KILL_GAP_S * 1000);
    c = await startCollector(config, dir);
    procs.push(c.proc);
    await phase('drain (forwarding, restarted collector)', DRAIN_S);
    const lastMetrics = await buildMetrics(c);
    const exited = new Promise<number | null>((r) => c.proc.once('exit', (code) => r(code)));
    const stopMs = Date.now();
    c.proc.kill('SIGTERM');
    const code = await exited;
    console.log(`collector SIGTERM → exit ${code} after ${Date.now() - stopMs} ms`);

    const endMs = stopMs - 60_000;
    const jenkinsBuilds = (await finishedBuilds(urls.jenkins)).filter((b) => b.endMs >= t0 + 30_000 && b.endMs <= endMs);
    await es.indices.refresh({ index: `${prefix}-builds-*`, ignore_unavailable: true, allow_no_indices: true });
    const res = await es.search<{ jenkins: { job: { name: string }; build: { number: number } }; usage?: { sample_count?: number }; request?: unknown }>({
      index: `${prefix}-builds-*`,
      size: 10_000,
      ignore_unavailable: true,
      allow_no_indices: true,
      _source: ['jenkins.job.name', 'jenkins.build.number', 'usage.sample_count', 'request'],
    });
    const docs = res.hits.hits;
    const byKey = new Map<string, number>();
    for (const h of docs) {
      const k = `${h._source!.jenkins.job.name}#${h._source!.jenkins.build.number}`;
      byKey.set(k, (byKey.get(k) ?? 0) + 1);
    }
    const ids = new Set(docs.map((h) => h._id));
    const missing = jenkinsBuilds.filter((b) => !byKey.has(b.key));
    const duplicated = [...byKey.values()].filter((n) => n > 1).length;
    const period = docs.filter((h) => jenkinsBuilds.some((b) => b.key === `${h._source!.jenkins.job.name}#${h._source!.jenkins.build.number}`));
    console.log('--- result ---');
    console.log(`builds Jenkins finished in the period: ${jenkinsBuilds.length}`);
    console.log(`builds documents in Elasticsearch: ${docs.length} (${ids.size} distinct _id, ${byKey.size} distinct job#number, ${duplicated} job#number with more than one document)`);
    console.log(`period builds summarised: ${jenkinsBuilds.length - missing.length} of ${jenkinsBuilds.length}; missing: ${missing.map((m) => m.key).join(', ') || 'none'}`);
    console.log(`of those: without samples ${period.filter((h) => (h._source!.usage?.sample_count ?? 0) === 0).length}, without request ${period.filter((h) => h._source!.request === undefined).length}`);
    console.log(`collector metrics at the end (second process): ${JSON.stringify(lastMetrics)}`);
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await sleep(3000);
    await proxy.close();
    await es.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
    await deleteTemplates(es, prefix).catch(() => undefined);
    await es.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
