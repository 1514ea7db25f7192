/**
 * Collection cost at scale (issue 4): the emulated Jenkins-on-Mesos cluster in model mode with
 * 20 agents × 50 running builds (1000 Mesos tasks = Jenkins nodes, 50 jobs in 5 folders), and
 * one poll of everything: the leading master (state, snapshot, roles), the 20 agents discovered
 * from it (state + /monitor/statistics each) and Jenkins (queue, computers, job tree, the jobs
 * with running builds). Prints wall time and the collector's CPU seconds per poll.
 *
 *   npx tsx bench/collect-at-scale.ts [rounds=3]
 *
 * The emulator runs in a CHILD process, so `process.cpuUsage()` of this process is the
 * collectors' own cost (HTTP client, JSON parsing, documents); the child's CPU for the same
 * round (serving and rendering the responses) is read from it and printed separately. The
 * child's clock is a ManualClock: it ramps until 1000 builds run, then moves only 1 s between
 * rounds (so agent readings have a CPU rate and nothing finishes).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../src/config/index.js';
import { jenkinsCollectorFromConfig } from '../src/collectors/jenkins/index.js';
import { mesosCollectorsFromConfig } from '../src/collectors/mesos/index.js';
import type { CollectionResult } from '../src/model/index.js';
import { startEmulatedCluster, validateScenario, type RunningEmulator } from '../src/emulators/index.js';
import { ManualClock } from '../src/util/index.js';

const AGENTS = 20;
const PER_AGENT = 50;
const JOBS = 50;

// ---- child: the emulator ------------------------------------------------------------------------

async function child(): Promise<void> {
  const scenario = validateScenario({
    name: 'collect-at-scale',
    seed: 42,
    mesos: { masters: 3, launchSeconds: 2 },
    agents: [{ count: AGENTS, cpus: 7.55, memMb: 65536 }],
    // A task asks for 0.15 cpus / 140.8 MB: exactly 50 fit on a 7.55-cpu agent.
    labels: [{ name: 'b', slaveCpus: 0.1, executorCpus: 0.05, slaveMem: 100, executorMem: 28, minExecutors: 1, maxExecutors: 1, singleUse: true }],
    jobs: Array.from({ length: JOBS }, (_, i) => ({
      name: `team-${i % 5}/job-${i}`,
      label: 'b',
      ratePerHour: 3600,
      firstBuildAfterSeconds: 0,
      duration: { kind: 'fixed', seconds: 36_000 },
      cpu: { kind: 'constant', cores: 0.1 },
      memMb: 100,
    })),
  });
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 4, 0, 0));
  const em: RunningEmulator = await startEmulatedCluster(scenario, { usage: 'model', clock });
  const running = (): number => [...em.cluster.engine.jobs.values()].reduce((n, j) => n + j.builds.filter((b) => b.building).length, 0);
  for (let i = 0; i < 600 && running() < AGENTS * PER_AGENT; i++) {
    clock.advance(1_000);
    em.tick();
  }
  process.stdout.write(JSON.stringify({ urls: em.urls, running: running(), queue: em.cluster.engine.queue.filter((q) => q.state !== 'left').length }) + '\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.startsWith('advance ')) {
      clock.advance(Number(line.slice(8)));
      em.tick();
      process.stdout.write(JSON.stringify({ ok: true, running: running() }) + '\n');
    } else if (line === 'cpu') {
      const u = process.cpuUsage();
      process.stdout.write(JSON.stringify({ cpuSecs: (u.user + u.system) / 1e6 }) + '\n');
    } else if (line === 'stop') {
      await em.stop();
      process.exit(0);
    }
  }
}

// ---- parent: the collectors -------------------------------------------------------------------

class Child {
  private readonly _lines: AsyncIterator<string>;
  constructor(readonly proc: ChildProcessByStdio<Writable, Readable, null>) {
    this._lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }
  async next<T>(): Promise<T> {
    const r = await this._lines.next();
    if (r.done === true) throw new Error('emulator child exited');
    return JSON.parse(r.value) as T;
  }
  async ask<T>(cmd: string): Promise<T> {
    this.proc.stdin.write(cmd + '\n');
    return this.next<T>();
  }
}

function count(results: readonly CollectionResult[]): { docs: number; errors: number; withCpu: number; byDataset: Record<string, number> } {
  const byDataset: Record<string, number> = {};
  let docs = 0;
  let withCpu = 0;
  let errors = 0;
  for (const r of results) {
    docs += r.samples.length;
    errors += r.errors.length;
    for (const s of r.samples) {
      const ds = (s.doc as { event?: { dataset?: string } }).event?.dataset ?? s.kind;
      byDataset[ds] = (byDataset[ds] ?? 0) + 1;
      if ((s.doc as { cpu?: { cores?: number } }).cpu?.cores !== undefined) withCpu++;
    }
  }
  return { docs, errors, withCpu, byDataset };
}

async function parent(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const em = new Child(proc);
  const t0 = performance.now();
  const info = await em.next<{ urls: RunningEmulator['urls']; running: number; queue: number }>();
  console.log(`emulator (child pid ${proc.pid}, model mode): ${info.running} builds running on ${AGENTS} agents, ${info.queue} queued; ramp ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const config = validateConfig({
    mesos: { masters: info.urls.masters, intervalMs: 60_000, timeoutMs: 30_000 },
    jenkins: { url: info.urls.jenkins.url, username: info.urls.jenkins.user, token: info.urls.jenkins.token, intervalMs: 60_000, timeoutMs: 30_000 },
  });
  const mesos = mesosCollectorsFromConfig(config);
  const jenkins = jenkinsCollectorFromConfig(config, {})!;
  const master = mesos.master!;
  const agents = mesos.agents!;

  /** One poll of everything, as `collect --once` orders it: the master, then agents and Jenkins together. */
  const poll = async (): Promise<{ wallMs: number; cpuSecs: number; parts: Record<string, { wallMs: number }>; results: CollectionResult[] }> => {
    const signal = AbortSignal.timeout(60_000);
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const timed = async (name: string, fn: () => Promise<CollectionResult>, parts: Record<string, { wallMs: number }>): Promise<CollectionResult> => {
      const s = performance.now();
      const r = await fn();
      parts[name] = { wallMs: performance.now() - s };
      return r;
    };
    const parts: Record<string, { wallMs: number }> = {};
    const m = await timed('master', () => master.collect(signal), parts);
    const [a, j] = await Promise.all([timed('agents', () => agents.collect(signal), parts), timed('jenkins', () => jenkins.collect(signal), parts)]);
    const wallMs = performance.now() - w0;
    const c = process.cpuUsage(c0);
    return { wallMs, cpuSecs: (c.user + c.system) / 1e6, parts, results: [m, a, j] };
  };

  // Priming round: first sight of every job, first reading of every executor (no CPU rate yet).
  const prime = await poll();
  const pc = count(prime.results);
  console.log(`priming poll: wall ${(prime.wallMs / 1000).toFixed(2)} s, collector CPU ${prime.cpuSecs.toFixed(2)} s, ${pc.docs} documents, ${pc.errors} errors`);

  const rows: Array<{ wallMs: number; cpuSecs: number; emuCpuSecs: number }> = [];
  for (let r = 0; r < rounds; r++) {
    await em.ask('advance 1000');
    const before = await em.ask<{ cpuSecs: number }>('cpu');
    const p = await poll();
    const after = await em.ask<{ cpuSecs: number }>('cpu');
    const c = count(p.results);
    rows.push({ wallMs: p.wallMs, cpuSecs: p.cpuSecs, emuCpuSecs: after.cpuSecs - before.cpuSecs });
    console.log(
      `poll ${r + 1}: wall ${(p.wallMs / 1000).toFixed(2)} s (master ${(p.parts['master']!.wallMs / 1000).toFixed(2)} s, then agents ${(p.parts['agents']!.wallMs / 1000).toFixed(2)} s ∥ jenkins ${(p.parts['jenkins']!.wallMs / 1000).toFixed(2)} s); ` +
        `collector CPU ${p.cpuSecs.toFixed(2)} s; emulator CPU ${(after.cpuSecs - before.cpuSecs).toFixed(2)} s; ` +
        `${c.docs} documents ${JSON.stringify(c.byDataset)} (${c.withCpu} with cpu.cores), ${c.errors} errors`,
    );
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  console.log(
    `median over ${rounds} polls of ${AGENTS} agents × ${PER_AGENT} executors: wall ${(median(rows.map((r) => r.wallMs)) / 1000).toFixed(2)} s, ` +
      `collector CPU ${median(rows.map((r) => r.cpuSecs)).toFixed(2)} s per poll (emulator, in its own process: ${median(rows.map((r) => r.emuCpuSecs)).toFixed(2)} s)`,
  );
  await Promise.all([master.shutdown(), agents.shutdown(), jenkins.shutdown()]);
  proc.stdin.write('stop\n');
  await new Promise((r) => proc.once('exit', r));
}

if (process.argv.includes('--child')) await child();
else await parent();
