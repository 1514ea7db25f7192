/**
 * The fault suite's tools: real processes of the BUILT CLI (`bin/rightsize.js`, compiled by
 * `npm run build`; `npm run test:faults` builds first), the emulated cluster as a process, the
 * private Elasticsearch of the run killed and restarted by its port, and a printer of what each
 * case did and checked.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@elastic/elasticsearch';
import { REPO_ROOT } from '../../support/env.js';
import { pollUntil } from '../../support/poll.js';

const run = promisify(execFile);

export const CLI = join(REPO_ROOT, 'bin', 'rightsize.js');

/** Prints one line of a case's record (`[fault <case>] …`), shown in the vitest output. */
export function say(caseName: string, line: string): void {
  console.log(`[fault ${caseName}] ${line}`);
}

/**
 * `node <argv>`, or with `fdLimit` the same through bash raising the open-files limit first
 * (soft and hard: root may raise the hard one; else as far as the hard one goes). bash `exec`s
 * node, so the pid and the signals stay node's.
 */
export function withFdLimit(fdLimit: number | undefined, argv: readonly string[]): [string, string[]] {
  if (fdLimit === undefined) return [process.execPath, [...argv]];
  const script = `ulimit -n ${fdLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  return ['bash', ['-c', script, process.execPath, ...argv]];
}

/** Fails early with the fix when the CLI was not built. */
export function requireBuiltCli(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run test:faults builds first)');
}

/** A running `rightsize …` process; its stdout and stderr lines are kept. */
export class CliProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly startedMs = Date.now();
  private readonly _proc: ChildProcess;

  constructor(
    readonly args: readonly string[],
    opts: { cwd: string; env?: Record<string, string>; fdLimit?: number },
  ) {
    requireBuiltCli();
    const [cmd, argv] = withFdLimit(opts.fdLimit, [CLI, ...args]);
    this._proc = spawn(cmd, argv, {
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RIGHTSIZE_LOG_LEVEL: 'info', ...opts.env },
    });
    const feed = (): ((d: Buffer) => void) => {
      let buf = '';
      return (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          this.lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      };
    };
    this._proc.stdout!.on('data', feed());
    this._proc.stderr!.on('data', feed());
    this.exited = new Promise((resolve) => this._proc.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number | undefined {
    return this._proc.pid;
  }

  get running(): boolean {
    return this._proc.exitCode === null && this._proc.signalCode === null;
  }

  /** The first line matching `re` (polled until `deadlineMs`). */
  async waitForLine(what: string, re: RegExp, deadlineMs: number): Promise<RegExpExecArray> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      for (const l of this.lines) {
        const m = re.exec(l);
        if (m) return m;
      }
      if (!this.running) throw new Error(`rightsize ${this.args[0]} exited before ${what}: ${this.lines.slice(-5).join(' | ')}`);
      if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}: ${this.lines.slice(-5).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The JSON log lines whose `msg` is `msg`. */
  logs(msg: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const l of this.lines) {
      if (!l.startsWith('{')) continue;
      try {
        const j = JSON.parse(l) as Record<string, unknown>;
        if (j['msg'] === msg) out.push(j);
      } catch {
        // not a log line
      }
    }
    return out;
  }

  /** SIGKILL, resolved when gone. */
  async kill9(): Promise<void> {
    if (this.running) this._proc.kill('SIGKILL');
    await this.exited;
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `deadlineMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', deadlineMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this._proc.kill(signal);
    const timer = setTimeout(() => this._proc.kill('SIGKILL'), deadlineMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A continuous `rightsize collect` with /metrics on a free port. */
export class Collector extends CliProcess {
  metricsUrl = '';

  static async start(config: string, cwd: string, extraArgs: readonly string[] = []): Promise<Collector> {
    const c = new Collector(['collect', '--config', config, '--metrics-port', '0', ...extraArgs], { cwd });
    const m = await c.waitForLine('the metrics address', /"address":"(http:\/\/[^"]+)"/, 60_000);
    c.metricsUrl = m[1]!;
    return c;
  }

  /** GET /metrics as `name{labels}` → value. */
  async metrics(): Promise<Map<string, number>> {
    if (!this.running) throw new Error(`rightsize collect exited: ${this.lines.slice(-5).join(' | ')}`);
    const text = await (await fetch(`${this.metricsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      const i = line.lastIndexOf(' ');
      out.set(line.slice(0, i), Number(line.slice(i + 1)));
    }
    return out;
  }

  async healthz(): Promise<Record<string, unknown>> {
    return (await (await fetch(`${this.metricsUrl}/healthz`, { signal: AbortSignal.timeout(10_000) })).json()) as Record<string, unknown>;
  }

  /** The counters of the `stopped` line a graceful stop logs (the same numbers /metrics serves). */
  finalStats(): { sink: Record<string, number>; builds?: Record<string, number>; targets: Record<string, unknown>[] } {
    const s = this.logs('stopped').at(-1);
    if (s === undefined) throw new Error(`no 'stopped' line; last lines: ${this.lines.slice(-5).join(' | ')}`);
    return s as unknown as { sink: Record<string, number>; builds?: Record<string, number>; targets: Record<string, unknown>[] };
  }
}

/** Sums a family over its labels (`rightsize_collector_documents_total{…}`). */
export function sumOf(metrics: Map<string, number>, name: string, labelFilter = ''): number {
  let total = 0;
  for (const [k, v] of metrics) if ((k === name || k.startsWith(`${name}{`)) && k.includes(labelFilter)) total += v;
  return total;
}

export interface EmulatorUrls {
  readonly mode: string;
  readonly masters: string[];
  readonly agents: string[];
  readonly jenkins: { url: string; user: string; token: string };
  readonly dockerHost?: string;
}

/** `rightsize emulate --scenario demo --usage model` as a process; resolves with its URLs. */
export async function startEmulator(cwd: string, extra: readonly string[] = []): Promise<{ proc: CliProcess; urls: EmulatorUrls }> {
  const proc = new CliProcess(['emulate', '--scenario', 'demo', '--usage', 'model', ...extra], { cwd, env: { DOCKER_HOST: '' } });
  const m = await proc.waitForLine('the emulator URLs', /^(\{"mode".*)$/, 120_000);
  return { proc, urls: JSON.parse(m[1]!) as EmulatorUrls };
}

/** Writes a collect config for the emulated cluster; returns its path. */
export function writeCollectConfig(
  dir: string,
  o: { esUrl: string; prefix: string; urls: EmulatorUrls; intervalMs?: number; jenkinsUrl?: string; jenkinsTimeoutMs?: number; dockerHosts?: readonly string[]; extra?: string[] },
): string {
  const interval = o.intervalMs ?? 5_000;
  const path = join(dir, 'rightsize.yaml');
  writeFileSync(
    path,
    [
      'elasticsearch:',
      `  url: ${o.esUrl}`,
      `  indexPrefix: ${o.prefix}`,
      '  replicas: 0',
      '  requestTimeoutMs: 10000',
      '  bulk:',
      '    flushIntervalMs: 1000',
      'mesos:',
      `  masters: [${o.urls.masters.map((m) => JSON.stringify(m)).join(', ')}]`,
      `  intervalMs: ${interval}`,
      `  timeoutMs: ${Math.min(3000, interval)}`,
      'jenkins:',
      `  url: ${JSON.stringify(o.jenkinsUrl ?? o.urls.jenkins.url)}`,
      `  username: ${JSON.stringify(o.urls.jenkins.user)}`,
      `  token: ${JSON.stringify(o.urls.jenkins.token)}`,
      `  intervalMs: ${interval}`,
      `  timeoutMs: ${o.jenkinsTimeoutMs ?? Math.min(3000, interval)}`,
      ...(o.dockerHosts === undefined ? [] : ['docker:', `  hosts: [${o.dockerHosts.map((h) => JSON.stringify(h)).join(', ')}]`, `  intervalMs: ${interval}`, `  timeoutMs: ${Math.min(3000, interval)}`]),
      'collect:',
      `  stateDir: ${JSON.stringify(join(dir, 'state'))}`,
      '  backoffMaxMs: 10000',
      ...(o.extra ?? []),
      '',
    ].join('\n'),
  );
  return path;
}

function esEnv(port: number): NodeJS.ProcessEnv {
  return { ...process.env, RIGHTSIZE_ES_PORT: String(port), RIGHTSIZE_ES_HEAP: process.env['RIGHTSIZE_ES_HEAP'] ?? '512m', RIGHTSIZE_ES_START_TIMEOUT_S: '300' };
}

/** SIGKILLs the Elasticsearch of `port` (the one scripts/es.sh started there; its process group). */
export async function esKill(port: number): Promise<void> {
  const status = await run('bash', ['scripts/es.sh', 'status'], { cwd: REPO_ROOT, env: esEnv(port) }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const pid = /running \(pid (\d+)\)/.exec(status.stdout)?.[1];
  if (pid === undefined) throw new Error(`no Elasticsearch of scripts/es.sh runs on port ${port}: ${status.stdout}`);
  try {
    process.kill(-Number(pid), 'SIGKILL');
  } catch {
    process.kill(Number(pid), 'SIGKILL');
  }
  await pollUntil(`Elasticsearch on ${port} gone`, 30_000, async () => ((await fetch(`http://127.0.0.1:${port}/`).then(() => true).catch(() => false)) ? undefined : true), 200);
}

/** Starts the Elasticsearch of `port` with scripts/es.sh; resolves when it is yellow. */
export async function esStart(port: number): Promise<void> {
  await run('bash', ['scripts/es.sh', 'start'], { cwd: REPO_ROOT, env: esEnv(port), timeout: 400_000 });
}

/** Every `_id` in `index` (scrolled; `_source` off). */
export async function allIds(es: Client, index: string): Promise<string[]> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const ids: string[] = [];
  let res = await es.search({ index, scroll: '1m', size: 5000, _source: false, ignore_unavailable: true, allow_no_indices: true, query: { match_all: {} } });
  for (;;) {
    if (res.hits.hits.length === 0) break;
    for (const h of res.hits.hits) ids.push(h._id!);
    if (res._scroll_id === undefined) break;
    res = await es.scroll({ scroll_id: res._scroll_id, scroll: '1m' });
  }
  if (res._scroll_id !== undefined) await es.clearScroll({ scroll_id: res._scroll_id }).catch(() => undefined);
  return ids;
}

/** The NDJSON documents a `collect --print` printed so far (its non-log stdout lines). */
export function printedDocs(p: CliProcess): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of p.lines) {
    if (!l.startsWith('{') || l.includes('"level":')) continue;
    try {
      out.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // a partial line
    }
  }
  return out;
}

/** Duplicated `_id`s (the same id in two indices). */
export function duplicates(ids: readonly string[]): number {
  return ids.length - new Set(ids).size;
}
