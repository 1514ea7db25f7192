/**
 * A tiny in-process Docker Engine API double on a real HTTP server (port 0), for the collector's
 * shell tests: it serves `/containers/json`, `/containers/{id}/stats`, `/containers/{id}/json`
 * and `/info` from state the test controls, and records every request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeContainer {
  id: string;
  name: string;
  state?: string;
  /** Cumulative CPU ns the next stats call reports. */
  totalUsageNs: number;
  /** `read` the next stats call reports (ISO). */
  read: string;
  memoryUsage?: number;
  /** `pids_stats.current` the next stats call reports. @defaultValue 1 */
  pidsCurrent?: number;
  /** cgroup v1 `max_usage` (high-water mark since start). */
  maxUsage?: number;
  env?: string[];
  nanoCpus?: number;
  memoryLimit?: number;
  /** Replace the stats answer: a status code, raw text, or a delay before answering. */
  statsStatus?: number;
  statsBody?: string;
  statsDelayMs?: number;
  /** Set with `state: 'exited'`: what inspect reports in `State`. */
  exited?: { exitCode: number; oomKilled: boolean; finishedAt: string };
}

export class FakeEngine {
  readonly containers = new Map<string, FakeContainer>();
  readonly requests: string[] = [];
  /** `start` events served by `/events` (`timeNano` as a 19-digit string, daemon clock). */
  readonly starts: { id: string; timeNano: string }[] = [];
  /** `die` (with an exit code) and `oom` events served by `/events`. */
  readonly exits: { id: string; action: 'die' | 'oom'; timeNano: string; exitCode?: number }[] = [];
  /** Answer `/events` with this status instead. */
  eventsStatus: number | undefined;
  /** Replace the list answer with this raw text. */
  listBody: string | undefined;
  inFlightStats = 0;
  maxInFlightStats = 0;
  private _server: Server | undefined;
  private _port = 0;
  private readonly _sockets = new Set<Socket>();

  /** Serve https with these options (e.g. `requestCert` for mutual TLS) instead of http. */
  constructor(private readonly _tls?: HttpsOptions) {}

  get url(): string {
    return `${this._tls ? 'https' : 'http'}://127.0.0.1:${this._port}`;
  }

  add(c: FakeContainer): void {
    this.containers.set(c.id, c);
  }

  /** Starts on port 0, or on the port it had before (to simulate a daemon coming back), or on `port`. */
  async start(port?: number): Promise<void> {
    if (port !== undefined) this._port = port;
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this._handle(req, res);
    const server: Server = this._tls ? createHttpsServer(this._tls, handler) : createServer(handler);
    server.on(this._tls ? 'secureConnection' : 'connection', (s: Socket) => {
      this._sockets.add(s);
      s.on('close', () => this._sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this._port, '127.0.0.1', () => resolve());
    });
    this._port = (server.address() as AddressInfo).port;
    this._server = server;
  }

  async stop(): Promise<void> {
    const server = this._server;
    this._server = undefined;
    if (!server) return;
    for (const s of this._sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  count(pathPrefix: string): number {
    return this.requests.filter((r) => r.startsWith(pathPrefix)).length;
  }

  private async _handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(url.pathname + url.search);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = url.pathname.replace(/^\/v[\d.]+/, '');
    if (path === '/info') return json(200, { Name: 'fake-host', NCPU: 4 });
    if (path === '/events') {
      if (this.eventsStatus !== undefined) return json(this.eventsStatus, { message: 'injected failure' });
      const toNs = (t: string | null): bigint => {
        const [sec = '0', frac = ''] = (t ?? '0').split('.');
        return BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9) || '0');
      };
      const since = toNs(url.searchParams.get('since'));
      const until = toNs(url.searchParams.get('until'));
      const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as { event?: string[] };
      res.writeHead(200, { 'content-type': 'application/json' });
      const wanted = filters.event ?? ['start', 'die', 'oom'];
      const all = [...this.starts.map((e) => ({ ...e, action: 'start' as const, exitCode: undefined })), ...this.exits];
      all.sort((a, b) => (BigInt(a.timeNano) < BigInt(b.timeNano) ? -1 : 1));
      for (const e of all) {
        const t = BigInt(e.timeNano);
        if (t < since || t > until || !wanted.includes(e.action)) continue;
        const attrs = e.exitCode !== undefined ? `{"exitCode":"${e.exitCode}","name":"x"}` : '{}';
        // timeNano written as digits, as the daemon does (a JS number would round them)
        res.write(
          `{"status":"${e.action}","id":"${e.id}","Type":"container","Action":"${e.action}","Actor":{"ID":"${e.id}","Attributes":${attrs}},"time":${e.timeNano.slice(0, 10)},"timeNano":${e.timeNano}}\n`,
        );
      }
      res.end();
      return;
    }
    if (path === '/containers/json') {
      if (this.listBody !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(this.listBody);
        return;
      }
      return json(
        200,
        [...this.containers.values()].filter((c) => (c.state ?? 'running') === 'running').map((c) => ({ Id: c.id, Names: [`/${c.name}`], Image: 'img:1', State: c.state ?? 'running' })),
      );
    }
    const m = /^\/containers\/([^/]+)\/(stats|json)$/.exec(path);
    const c = m ? this.containers.get(m[1] ?? '') : undefined;
    if (!m || !c) return json(404, { message: `No such container: ${m?.[1] ?? path}` });
    if (m[2] === 'json') {
      return json(200, {
        Id: c.id,
        Name: `/${c.name}`,
        Config: { Image: 'img:1', Env: c.env ?? [], Labels: { 'team.name': 'ci' } },
        HostConfig: { NanoCpus: c.nanoCpus ?? 0, Memory: c.memoryLimit ?? 0, CpuQuota: 0, CpuPeriod: 0 },
        State: c.exited
          ? { Status: 'exited', Running: false, OOMKilled: c.exited.oomKilled, ExitCode: c.exited.exitCode, StartedAt: '2026-11-22T03:00:00Z', FinishedAt: c.exited.finishedAt }
          : { Status: 'running', Running: true, OOMKilled: false, StartedAt: '2026-11-22T03:00:00Z' },
      });
    }
    this.inFlightStats++;
    this.maxInFlightStats = Math.max(this.maxInFlightStats, this.inFlightStats);
    try {
      if (c.statsDelayMs) await new Promise((r) => setTimeout(r, c.statsDelayMs));
      if (res.destroyed) return;
      if (c.statsStatus !== undefined) return json(c.statsStatus, { message: 'injected failure' });
      if (c.statsBody !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(c.statsBody);
        return;
      }
      const exited = c.state === 'exited';
      json(200, {
        id: c.id,
        name: `/${c.name}`,
        read: exited ? '0001-01-01T00:00:00Z' : c.read,
        preread: '0001-01-01T00:00:00Z',
        pids_stats: exited ? {} : { current: c.pidsCurrent ?? 1 },
        cpu_stats: {
          cpu_usage: { total_usage: exited ? 0 : c.totalUsageNs },
          ...(exited ? {} : { system_cpu_usage: 1e12, online_cpus: 4 }),
          throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
        },
        precpu_stats: { cpu_usage: { total_usage: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
        memory_stats: exited ? {} : { usage: c.memoryUsage ?? 1_000_000, ...(c.maxUsage !== undefined && { max_usage: c.maxUsage }), limit: 8e9, stats: { total_inactive_file: 0, total_rss: c.memoryUsage ?? 1_000_000 } },
      });
    } finally {
      this.inFlightStats--;
    }
  }
}
