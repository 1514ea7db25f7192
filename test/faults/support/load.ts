/**
 * The probes' load process (loadChild.ts) and the scheduler the probes time: sequential job
 * lookups, each on a new connection (a refused connection is exactly what locked schedulers out).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/env.js';
import type { IdleLoad, IdleResult, ListsLoad, ListsResult } from './loadChild.js';
import { withFdLimit } from './processes.js';

/** A running loadChild.ts; its JSON lines are parsed as they come. */
export class LoadProcess {
  readonly events: Array<ListsResult | IdleResult> = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly _proc: ChildProcess;

  constructor(load: ListsLoad | IdleLoad, fdLimit: number) {
    const [cmd, argv] = withFdLimit(fdLimit, ['--import', 'tsx', join(REPO_ROOT, 'test', 'faults', 'support', 'loadChild.ts'), JSON.stringify(load)]);
    this._proc = spawn(cmd, argv, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let buf = '';
    this._proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('{')) this.events.push(JSON.parse(line) as ListsResult | IdleResult);
      }
    });
    this._proc.stderr!.on('data', (d: Buffer) => void this.stderr.push(d.toString()));
    this.exited = new Promise((resolve) => this._proc.once('exit', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this._proc.pid;
  }

  /** The first event named `event`, polled until `deadlineMs`. */
  async event<T extends ListsResult | IdleResult>(event: T['event'], deadlineMs: number): Promise<T> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const hit = this.events.find((e) => e.event === event);
      if (hit) return hit as T;
      if (this._proc.exitCode !== null) throw new Error(`the load process exited (${this._proc.exitCode}) before '${event}': ${this.stderr.join('').slice(-500)}`);
      if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for the load's '${event}': ${this.stderr.join('').slice(-500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Tells an idle load to close its sockets and report. */
  release(): void {
    this._proc.stdin!.end('stop\n');
  }

  async kill(): Promise<void> {
    if (this._proc.exitCode === null && this._proc.signalCode === null) this._proc.kill('SIGKILL');
    await this.exited;
  }
}

export interface LookupStats {
  readonly count: number;
  readonly ok: number;
  /** Failures by what happened (`status 503`, `ECONNRESET`, `timeout` …). */
  readonly errors: Record<string, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The `q` quantile of `values` (nearest rank); 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** One GET, at most `timeoutMs`: on a connection of its own (`Connection: close`), or on `agent`'s kept-alive one. */
export function getOnce(url: string, timeoutMs: number, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs, ...(agent === undefined ? { agent: false, headers: { connection: 'close' } } : { agent }) }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'timeout' })));
    req.on('error', reject);
    req.end();
  });
}

/**
 * A scheduler looking jobs up until stopped: `GET <base>/api/v1/jobs/<job>` one after the other,
 * `everyMs` apart, each with a `timeoutMs` deadline; each on a new connection, or with
 * `keepAlive` all on one kept-alive connection (opened by the first lookup).
 */
export function startLookups(base: string, jobs: readonly string[], opts: { everyMs: number; timeoutMs: number; keepAlive?: boolean }): { stop: () => Promise<LookupStats> } {
  const agent = opts.keepAlive === true ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
  const durations: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const t0 = performance.now();
      try {
        const r = await getOnce(`${base}/api/v1/jobs/${jobs[i % jobs.length]!}`, opts.timeoutMs, agent);
        if (r.status === 200) ok++;
        else errors[`status ${r.status}`] = (errors[`status ${r.status}`] ?? 0) + 1;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        errors[code] = (errors[code] ?? 0) + 1;
      }
      durations.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, opts.everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      agent?.destroy();
      return { count: durations.length, ok, errors, p50Ms: quantile(durations, 0.5), p99Ms: quantile(durations, 0.99), maxMs: Math.max(0, ...durations) };
    },
  };
}
