/**
 * The Docker collector against the real engine (scripts/docker-engine.sh) and the workload
 * image: a container limited to 1 CPU / 256 MiB burning 0.5 cores and holding 64 MiB must be
 * measured at 0.5 ± 0.1 cores over 3 consecutive samples and 64 MiB ± 15 % working set.
 * Rounds are ~1.5 s apart and polled until a deadline; every container is removed in afterAll.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorFromEndpoint, type DockerCollector } from '../../../../src/collectors/docker/index.js';
import type { CollectionResult, ContainerDoc } from '../../../../src/model/index.js';
import { testDockerHost, testWorkloadImage } from '../../../support/env.js';

const MIB = 2 ** 20;
const ROUND_GAP_MS = 1500;
const never = new AbortController().signal;

function engineClient(): Docker {
  const host = testDockerHost();
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length), host: undefined });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port), protocol: 'http', socketPath: undefined });
}

const docker = engineClient();
const created: Docker.Container[] = [];
const tag = `rs-it-docker-${process.pid}-${Date.now().toString(36)}`;

async function startWorkload(suffix: string, args: string[], env: string[] = []): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name: `${tag}-${suffix}`,
    Image: testWorkloadImage(),
    Cmd: ['workload', ...args],
    Env: env,
    Labels: { 'rightsize.test': tag, 'rightsize.case': suffix },
    HostConfig: { NanoCpus: 1e9, Memory: 256 * MIB, NetworkMode: 'none' },
  });
  created.push(container);
  await container.start();
  return container;
}

function docOf(result: CollectionResult, id: string): ContainerDoc | undefined {
  for (const s of result.samples) if (s.kind === 'container' && s.doc.container.id === id) return s.doc;
  return undefined;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('DockerCollector on the real engine', () => {
  let collector: DockerCollector;

  beforeAll(() => {
    collector = collectorFromEndpoint(testDockerHost(), { timeoutMs: 10_000, concurrency: 8 });
  });

  afterAll(async () => {
    await collector.shutdown();
    await Promise.all(created.map((c) => c.remove({ force: true }).catch(() => undefined)));
  });

  it('measures 0.5 cores (±0.1, 3 consecutive samples) and 64 MiB (±15 %) with limits and identity', async () => {
    const env = [
      'MESOS_TASK_ID=mesos-jenkins-5e6f7a8b-linux',
      'MESOS_FRAMEWORK_ID=0c1d2e3f-0000-4000-8000-000000000001-0000',
      'MESOS_EXECUTOR_ID=mesos-jenkins-5e6f7a8b-linux',
      'MESOS_SLAVE_ID=0c1d2e3f-0000-4000-8000-000000000001-S3',
      'NODE_NAME=mesos-jenkins-5e6f7a8b-linux',
      'NODE_LABELS=linux docker',
      'JOB_NAME=team/service/main',
      'BUILD_NUMBER=314',
      'JENKINS_URL=http://jenkins.test:8080/',
    ];
    const container = await startWorkload('steady', ['--cpu', '0.5', '--mem', '64m', '--duration', '60s'], env);
    const id = container.id;

    const figures: number[] = [];
    let consecutive: number[] = [];
    let last: ContainerDoc | undefined;
    let firstSeen = true;
    const deadline = Date.now() + 50_000;
    while (Date.now() < deadline && consecutive.length < 3) {
      const result = await collector.collect(never);
      expect(result.errors.filter((e) => e.subject === id)).toEqual([]);
      const doc = docOf(result, id);
      if (doc) {
        if (firstSeen) {
          // the first reading of a container has no CPU figure: absent, not 0
          expect(doc.cpu?.cores).toBeUndefined();
          firstSeen = false;
        } else {
          const cores = doc.cpu?.cores;
          expect(cores, 'every later reading has a CPU figure').toBeTypeOf('number');
          figures.push(cores!);
          consecutive = cores! >= 0.4 && cores! <= 0.6 ? [...consecutive, cores!] : [];
          last = doc;
        }
      }
      if (consecutive.length < 3) await pause(ROUND_GAP_MS);
    }
    console.log(`docker integration: cpu.cores figures ${figures.map((f) => f.toFixed(3)).join(', ')}; working set ${((last?.memory?.working_set_bytes ?? 0) / MIB).toFixed(2)} MiB`);
    expect(consecutive, `3 consecutive figures in 0.5 ± 0.1 (all figures: ${figures.join(', ')})`).toHaveLength(3);

    const ws = last!.memory!.working_set_bytes!;
    expect(Math.abs(ws - 64 * MIB) / (64 * MIB)).toBeLessThanOrEqual(0.15);
    expect(last!.cpu!.limit_cores).toBe(1);
    expect(last!.memory!.limit_bytes).toBe(256 * MIB);
    expect(last!.cpu!.interval_ms).toBeGreaterThan(500);
    expect(last).toMatchObject({
      event: { dataset: 'docker.container' },
      service: { address: expect.stringMatching(/^(unix|tcp|http)/) },
      container: { id, name: `${tag}-steady`, image: { name: testWorkloadImage() }, labels: { 'rightsize.test': tag, 'rightsize.case': 'steady' } },
      mesos: {
        task: { id: 'mesos-jenkins-5e6f7a8b-linux' },
        framework: { id: '0c1d2e3f-0000-4000-8000-000000000001-0000' },
        executor: { id: 'mesos-jenkins-5e6f7a8b-linux' },
        agent: { id: '0c1d2e3f-0000-4000-8000-000000000001-S3' },
      },
      jenkins: { url: 'http://jenkins.test:8080/', node: { name: 'mesos-jenkins-5e6f7a8b-linux' }, label: 'linux', job: { name: 'team/service/main' }, build: { number: 314 } },
    });
    expect(typeof last!.host?.name).toBe('string');
    await container.remove({ force: true });
  });

  it('a container killed between rounds disappears without errors for the others', async () => {
    const stays = await startWorkload('stays', ['--cpu', '0.05', '--mem', '8m', '--duration', '60s']);
    const goes = await startWorkload('goes', ['--cpu', '0.05', '--mem', '8m', '--duration', '60s']);
    const before = await collector.collect(never);
    expect(docOf(before, stays.id)).toBeDefined();
    expect(docOf(before, goes.id)).toBeDefined();

    await goes.remove({ force: true });
    await pause(ROUND_GAP_MS);
    const after = await collector.collect(never);
    expect(after.errors.filter((e) => e.subject === stays.id || e.subject === goes.id)).toEqual([]);
    // its one final document: killed (SIGKILL → 137) but not by the OOM killer, no figures
    const final = docOf(after, goes.id);
    expect(final?.container).toMatchObject({ exit_code: 137, oom_killed: false });
    expect(final?.cpu).toBeUndefined();
    const kept = docOf(after, stays.id);
    expect(kept?.cpu?.cores).toBeTypeOf('number');
    expect(kept!.cpu!.cores!).toBeGreaterThanOrEqual(0);
    expect(kept!.cpu!.cores!).toBeLessThan(0.3);
    await stays.remove({ force: true });
  });

  it('an OOM-killed container and one that exits by itself each get one final document from the engine\'s die/oom events', async () => {
    const env = ['JOB_NAME=team/oom', 'BUILD_NUMBER=9', 'MESOS_TASK_ID=mesos-jenkins-oom-1'];
    // 256 MiB limit: 3 s at 8 MiB, then 400 MiB → the kernel OOM killer
    const hog = await startWorkload('oom', ['--phases', '0.05:8m:3s,0.05:400m:60s'], env);
    const done = await startWorkload('exit3', ['--cpu', '0.05', '--mem', '8m', '--duration', '3s', '--exit', '3']);
    const first = await collector.collect(never);
    expect(docOf(first, hog.id), 'a reading while it runs').toBeDefined();
    expect(docOf(first, done.id)).toBeDefined();
    const finals = new Map<string, ContainerDoc>();
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline && finals.size < 2) {
      await pause(ROUND_GAP_MS);
      const r = await collector.collect(never);
      expect(r.errors.filter((e) => e.subject === hog.id || e.subject === done.id)).toEqual([]);
      for (const id of [hog.id, done.id]) {
        const d = docOf(r, id);
        if (d?.container.oom_killed !== undefined) finals.set(id, d);
      }
    }
    const oom = finals.get(hog.id);
    const exit3 = finals.get(done.id);
    console.log(`docker integration: final documents ${JSON.stringify(oom?.container)} ${JSON.stringify(exit3?.container)}`);
    expect(oom?.container).toMatchObject({ exit_code: 137, oom_killed: true });
    expect(oom).toMatchObject({ jenkins: { job: { name: 'team/oom' }, build: { number: 9 } }, mesos: { task: { id: 'mesos-jenkins-oom-1' } } });
    expect(oom?.memory).toBeUndefined();
    expect(exit3?.container).toMatchObject({ exit_code: 3, oom_killed: false });
    // the die time, not the collection time: before the round that noticed it
    expect(Date.parse(oom!['@timestamp'])).toBeLessThan(Date.now());
  });

  it('a restarted container never yields a negative or huge CPU figure, and measures again afterwards', async () => {
    const c = await startWorkload('restart', ['--cpu', '0.3', '--mem', '16m', '--duration', '60s']);
    // One reading right after the start, so the old run's counter is tiny; after the restart
    // the new run soon has more CPU time than that, so the counters alone cannot tell: the
    // engine's start event must.
    const first = docOf(await collector.collect(never), c.id);
    expect(first).toBeDefined();
    await c.restart({ t: 0 });

    const seen: (number | undefined)[] = [];
    let resets = 0;
    let figureAgain = false;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !figureAgain) {
      await pause(ROUND_GAP_MS);
      const r = await collector.collect(never);
      expect(r.errors.filter((e) => e.subject === c.id)).toEqual([]);
      const doc = docOf(r, c.id);
      if (!doc) continue;
      const cores = doc.cpu?.cores;
      seen.push(cores);
      if (cores === undefined) resets += r.skipped?.['counter_reset'] ?? 0;
      else {
        expect(Number.isFinite(cores)).toBe(true);
        expect(cores).toBeGreaterThanOrEqual(0);
        expect(cores).toBeLessThanOrEqual(1.05); // limited to 1 CPU
        figureAgain = true;
      }
    }
    console.log(`docker integration: cpu.cores after restart: ${seen.map((x) => (x === undefined ? 'absent' : x.toFixed(3))).join(', ')}`);
    // the round right after the restart pairs readings of two runs: no figure, counted as counter_reset
    expect(seen[0]).toBeUndefined();
    expect(resets).toBeGreaterThanOrEqual(1);
    expect(figureAgain).toBe(true);
    const last = seen[seen.length - 1]!;
    expect(Math.abs(last - 0.3)).toBeLessThanOrEqual(0.1);
  });
});
