import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatedCluster, taskRequest, validateScenario, type BuildState, type RunningEmulator } from '../../../src/emulators/index.js';
import type { BuildDoc } from '../../../src/model/index.js';
import { REPO_ROOT, testEsUrl } from '../../support/env.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';
import { pollUntil } from '../../support/poll.js';

/**
 * The closed loop of issue 12 on the emulated cluster (model usage, ~2 min): jobs that ask
 * rightsize for their label (`askRightsize`) run on their own label while nobody answers; the
 * built `rightsize collect` writes their builds into the real Elasticsearch, `rightsize analyze
 * --labels` recommends, `rightsize serve` answers — and the next builds of the over-provisioned
 * job run on the smaller label, so the CPU the cluster reserves for the same builds falls. With
 * the API stopped, the builds fall back to the job's own label again, counted.
 */

const MiB = 1024 * 1024;
const OVER = 'team/over';
const LINT = 'lint';
const MIN_BUILDS = 5;

/** `big`: 2 cpus / 1980 MB; `small`: 0.6 cpus / 880 MB (above the recommender's 512 MiB floor). 6 s builds every ~6 s. */
const scenario = validateScenario({
  name: 'closed-loop',
  seed: 12,
  mesos: { masters: 1, launchSeconds: 1 },
  agents: [{ count: 2, cpus: 4, memMb: 8192 }],
  labels: [
    { name: 'big', slaveCpus: 1.9, executorCpus: 0.1, slaveMem: 1800, executorMem: 0, minExecutors: 1, maxExecutors: 1, singleUse: true },
    { name: 'small', slaveCpus: 0.5, executorCpus: 0.1, slaveMem: 800, executorMem: 0, minExecutors: 1, maxExecutors: 1, singleUse: true },
  ],
  jobs: [
    // Over-provisioned: 2 cpus for 0.2 cores and 150 MB.
    { name: OVER, label: 'big', askRightsize: true, ratePerHour: 600, firstBuildAfterSeconds: 1, duration: { kind: 'fixed', seconds: 6 }, cpu: { kind: 'constant', cores: 0.2 }, memMb: 150 },
    // Right-sized on small: keeps it (and makes `small` a label rightsize knows).
    { name: LINT, label: 'small', askRightsize: true, ratePerHour: 600, firstBuildAfterSeconds: 2, duration: { kind: 'fixed', seconds: 6 }, cpu: { kind: 'constant', cores: 0.1 }, memMb: 100 },
  ],
});
const BIG = taskRequest(scenario.labels[0]!, 1);
const SMALL = taskRequest(scenario.labels[1]!, 1);

const client = testEsClient();
const prefix = uniquePrefix('closed-loop');
const dir = mkdtempSync(join(tmpdir(), 'rs-closed-loop-'));
const config = join(dir, 'rightsize.yaml');
let em: RunningEmulator | undefined;
let collect: ChildProcess | undefined;
let serve: ChildProcess | undefined;
let apiUrl = '';
const logs = new Map<ChildProcess, string>();

function cli(args: string[]): ChildProcess {
  const p = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rightsize.js'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RIGHTSIZE_LOG_LEVEL: 'warn' } });
  logs.set(p, '');
  const add = (d: Buffer) => logs.set(p, (logs.get(p) ?? '') + d.toString());
  p.stdout.on('data', add);
  p.stderr.on('data', add);
  return p;
}

async function stop(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await pollUntil('the process to exit', 20_000, () => Promise.resolve(p.exitCode !== null || p.signalCode !== null ? true : undefined), 100).catch(() => p.kill('SIGKILL'));
  await exited;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function builds(): Promise<BuildDoc[]> {
  await client.indices.refresh({ index: `${prefix}-builds-*`, ignore_unavailable: true, allow_no_indices: true });
  const res = await client.search<BuildDoc>({ index: `${prefix}-builds-*`, ignore_unavailable: true, allow_no_indices: true, size: 1000, query: { match_all: {} } });
  return res.hits.hits.map((h) => h._source!);
}

const usable = (d: BuildDoc): boolean => d.jenkins.result === 'SUCCESS';
const ofJob = (docs: readonly BuildDoc[], job: string, label?: string): BuildDoc[] =>
  docs.filter((d) => d.jenkins.job.name === job && usable(d) && (label === undefined || d.jenkins.label === label));
/** What the cluster reserved for a build: its Mesos task's cpus for the build's duration. */
const reservedCoreSeconds = (d: BuildDoc): number => (d.request?.cpu_cores ?? NaN) * (d.build.duration_ms / 1000);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const emBuilds = (job: string): BuildState[] => em!.cluster.engine.jobs.get(job)?.builds ?? [];

async function jenkinsJson(path: string): Promise<Record<string, unknown>> {
  const { url, user, token } = em!.urls.jenkins;
  const r = await fetch(url + path, { headers: { authorization: 'Basic ' + Buffer.from(`${user}:${token}`).toString('base64') } });
  return (await r.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: npx tsc -p tsconfig.build.json');
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  // The API is not there yet: every question fails and the builds run on their job's label.
  em = await startEmulatedCluster(scenario, { usage: 'model', tickMs: 200, askRightsize: { url: apiUrl, timeoutMs: 1_000 } });
  writeFileSync(
    config,
    [
      'elasticsearch:',
      `  url: ${testEsUrl()}`,
      `  indexPrefix: ${prefix}`,
      '  replicas: 0',
      '  bulk: { flushIntervalMs: 500 }',
      'docker: { intervalMs: 1000, timeoutMs: 1000 }',
      'mesos: { intervalMs: 1000, timeoutMs: 1000 }',
      `jenkins: { username: ${em.urls.jenkins.user}, token: ${em.urls.jenkins.token}, intervalMs: 1000, timeoutMs: 1000 }`,
      `api: { port: ${port}, refreshIntervalMs: 1000 }`,
      // Minutes of history, not days: the 5 builds any recommendation needs are evidence enough.
      'analysis: { decreaseEvidence: { minBuilds: 5, minDays: 0 } }',
      '',
    ].join('\n'),
  );
  collect = cli(['collect', '--config', config, '--jenkins-url', em.urls.jenkins.url, ...em.urls.masters.flatMap((m) => ['--mesos-master', m])]);
});

afterAll(async () => {
  await stop(serve);
  await stop(collect);
  await em?.stop();
  await dropPrefix(client, prefix);
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the closed loop on the emulated cluster (real Elasticsearch, built CLI)', () => {
  let before: BuildDoc[] = [];

  it(`without an answer the jobs run on their own labels (fallback counted) until ${MIN_BUILDS} builds each are summarised`, async () => {
    let seen: BuildDoc[] = [];
    before = await pollUntil(
      `${MIN_BUILDS} builds documents of ${OVER} and ${LINT}`,
      90_000,
      async () => {
        if (collect!.exitCode !== null) throw new Error(`collect exited ${collect!.exitCode}: ${logs.get(collect!)}`);
        seen = await builds();
        return ofJob(seen, OVER).length >= MIN_BUILDS && ofJob(seen, LINT).length >= MIN_BUILDS ? seen : undefined;
      },
      1_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; have ${ofJob(seen, OVER).length} ${OVER}, ${ofJob(seen, LINT).length} ${LINT}; collect: ${logs.get(collect!)?.slice(-2000)}`);
    });
    const stats = em!.cluster.askStats();
    expect(stats.answered).toBe(0);
    expect(stats.fallback.unreachable ?? 0).toBeGreaterThanOrEqual(2 * MIN_BUILDS);
    for (const d of ofJob(before, OVER)) {
      expect(d.jenkins.label, JSON.stringify(d)).toBe('big');
      expect(d.request, JSON.stringify(d)).toEqual({ cpu_cores: BIG.cpus, memory_bytes: Math.round(BIG.memMb * MiB) });
    }
    const b1 = await jenkinsJson(`job/team/job/over/1/api/json`);
    expect(b1['description']).toBe('rightsize: fallback label big (unreachable)');
  });

  it('after the first analysis the asking job moves to the smaller label, and the CPU reserved for its builds falls', async () => {
    expect(before.length, 'the first step ran').toBeGreaterThan(0);
    const analyze = cli(['analyze', '--labels', '--config', config]);
    const code = await new Promise<number | null>((r) => analyze.once('exit', r));
    expect(code, logs.get(analyze)).toBe(0);
    serve = cli(['serve', '--config', config]);
    const answer = await pollUntil(
      `rightsize serve to answer ${OVER}`,
      30_000,
      async () => {
        const r = await fetch(`${apiUrl}/api/v1/jobs/team/over?format=mesos-plugin`).catch(() => undefined);
        return r?.status === 200 ? ((await r.json()) as { label?: string; fallback?: boolean; cpus: number }) : undefined;
      },
      250,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; serve: ${logs.get(serve!)}`);
    });
    expect(answer, JSON.stringify(answer)).toMatchObject({ label: 'small', fallback: false });
    const answeredFrom = em!.cluster.askStats().answered;

    // Builds queued from now on run on `small`: their Mesos tasks are sized by `small`.
    const moved = await pollUntil(
      `3 finished ${OVER} builds on small`,
      40_000,
      () => {
        const done = emBuilds(OVER).filter((b) => !b.building && b.rightsize?.outcome === 'answered');
        return Promise.resolve(done.length >= 3 ? done : undefined);
      },
      250,
    );
    for (const b of moved) expect(b).toMatchObject({ label: 'small', rightsize: { label: 'small', outcome: 'answered' }, cpuLimit: expect.closeTo(SMALL.cpus + 0.1, 6) });
    expect(em!.cluster.askStats().answered).toBeGreaterThan(answeredFrom);
    const desc = (await jenkinsJson(`job/team/job/over/${moved[0]!.number}/api/json`))['description'];
    expect(desc).toBe('rightsize: label small (answered)');
    // The right-sized job keeps its label.
    expect(emBuilds(LINT).filter((b) => b.rightsize?.outcome === 'answered').every((b) => b.label === 'small')).toBe(true);

    // The data model sees it: the builds documents name the label each build ran on and what it reserved.
    const after = await pollUntil(
      `2 builds documents of ${OVER} on small`,
      40_000,
      async () => {
        const d = ofJob(await builds(), OVER, 'small');
        return d.length >= 2 ? d : undefined;
      },
      1_000,
    );
    for (const d of after) expect(d.request, JSON.stringify(d)).toEqual({ cpu_cores: SMALL.cpus, memory_bytes: Math.round(SMALL.memMb * MiB) });
    const beforeCs = mean(ofJob(before, OVER, 'big').map(reservedCoreSeconds));
    const afterCs = mean(after.map(reservedCoreSeconds));
    // The same 6 s builds: 2 cpus → 0.6 cpus reserved (≈ 12 → 3.6 core-seconds a build).
    expect(afterCs, `reserved core-seconds per build: before ${beforeCs}, after ${afterCs}`).toBeLessThan(beforeCs * 0.5);
  });

  it('with the API stopped the builds fall back to the job’s own label, counted', async () => {
    expect(serve, 'the API ran').toBeDefined();
    await stop(serve);
    const from = em!.cluster.askStats().fallback.unreachable ?? 0;
    const stoppedAt = em!.cluster.clock.nowMs();
    const fallback = await pollUntil(
      `a ${OVER} build queued after the stop on big`,
      30_000,
      () => Promise.resolve(emBuilds(OVER).find((b) => b.inQueueSinceMs > stoppedAt && b.rightsize?.outcome === 'fallback')),
      250,
    );
    expect(fallback).toMatchObject({ label: 'big', rightsize: { label: 'big', outcome: 'fallback', reason: 'unreachable' } });
    expect(fallback.builtOn).toMatch(/-big$/);
    expect(em!.cluster.askStats().fallback.unreachable ?? 0).toBeGreaterThan(from);
    const status = await jenkinsJson('emulator/rightsize/api/json');
    expect(status).toMatchObject({ jobs: { [OVER]: { lastLabel: 'big' } } });
  });
});
