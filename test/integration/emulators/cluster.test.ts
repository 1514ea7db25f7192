import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDockerHost, testWorkloadImage } from '../../support/env.js';
import { dockerClient, EMULATOR_LABEL, startEmulatedCluster, validateScenario, type RunningEmulator } from '../../../src/emulators/index.js';
import { pollUntil } from '../../support/poll.js';

/**
 * The emulator against the real Docker engine, in real time (~90 s): builds run as containers,
 * the agent's statistics come from them, queue waits follow capacity, and failover redirects.
 */

let em: RunningEmulator;
let auth: string;
const docker = dockerClient(testDockerHost());

function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  return pollUntil(what, timeoutMs, async () => fn(), 250);
}

async function jenkins(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(em.urls.jenkins.url + path, { headers: { authorization: auth } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

const job = (name: string, first: number, seconds: number, cores: number, extra: Record<string, unknown> = {}) => ({
  name,
  label: 'L',
  ratePerHour: 0,
  firstBuildAfterSeconds: first,
  duration: { kind: 'fixed', seconds },
  cpu: { kind: 'constant', cores },
  memMb: 30,
  memRampSeconds: 1,
  ...extra,
});

beforeAll(async () => {
  // One agent with room for one 1-cpu task at a time.
  const scenario = validateScenario({
    name: 'integration',
    seed: 11,
    mesos: { masters: 3, launchSeconds: 1 },
    agents: [{ count: 1, cpus: 1.2, memMb: 2048 }],
    labels: [{ name: 'L', slaveCpus: 0.5, executorCpus: 0.5, slaveMem: 200, executorMem: 56, minExecutors: 1, maxExecutors: 1, singleUse: true, dockerImage: testWorkloadImage() }],
    jobs: [job('burn', 0, 40, 0.5), job('second', 1, 8, 0.2), job('hog', 50, 20, 0.1, { oomProne: 1, memRampSeconds: 3 }), job('late', 80, 5, 0.1)],
  });
  em = await startEmulatedCluster(scenario, { usage: 'docker', dockerHost: testDockerHost(), sampleIntervalMs: 250, tickMs: 100 });
  expect(em.urls.mode).toBe('docker');
  auth = 'Basic ' + Buffer.from(`${em.urls.jenkins.user}:${em.urls.jenkins.token}`).toString('base64');
});

afterAll(async () => {
  await em?.stop();
  // Other emulators may share the engine: look only for the containers of our builds.
  const ours = new Set([...em.cluster.engine.jobs.values()].flatMap((j) => j.builds.map((b) => `/mesos-${b.containerId}`)));
  expect(ours.size).toBeGreaterThanOrEqual(4);
  const left = await docker.listContainers({ all: true, filters: { label: [EMULATOR_LABEL] } });
  expect(left.flatMap((c) => c.Names).filter((n) => ours.has(n))).toEqual([]);
});

describe('emulated cluster on the real Docker engine', () => {
  it('the CPU seconds /monitor/statistics reports for a build match its container’s Docker stats within 10 %', async () => {
    const burn = await waitFor('burn #1 to run for 10 s', () => {
      const b = em.cluster.engine.build('burn', 1);
      return b && b.building && Date.now() - b.startMs >= 10_000 ? b : undefined;
    }, 60_000);
    const container = docker.getContainer(`mesos-${burn.containerId}`);
    const info = await container.inspect();
    expect(info.Config.Env).toEqual(expect.arrayContaining([`MESOS_TASK_ID=${burn.builtOn}`, `MESOS_CONTAINER_NAME=mesos-${burn.containerId}`, 'JOB_NAME=burn', 'BUILD_NUMBER=1', `NODE_NAME=${burn.builtOn}`]));
    expect(info.HostConfig.NetworkMode).toBe('none');
    // Limits as Mesos reports them: task 1 cpu / 281.6 MB + executor 0.1 cpu / 32 MB.
    expect(info.HostConfig.CpuQuota).toBe(110_000);
    expect(info.HostConfig.Memory).toBe(Math.round(313.6 * 1024 * 1024));

    // Enough CPU time that the 10 ms accounting ticks are < 2 % of it (the shared 2-core host
    // may be saturated by other work, so wait for it rather than assume 0.5 cores).
    const dockerCpuSecs = async () => {
      const st = await container.stats({ stream: false, 'one-shot': true });
      return (st.cpu_stats.cpu_usage.usage_in_usermode + st.cpu_stats.cpu_usage.usage_in_kernelmode) / 1e9;
    };
    await waitFor('0.5 CPU-s in the container (is the host saturated?)', async () => ((await dockerCpuSecs()) >= 0.5 ? true : undefined), Math.max(1000, burn.startMs + 36_000 - Date.now()));
    const dockerSecs = await dockerCpuSecs();
    const res = await fetch(em.urls.agents[0] + '/monitor/statistics');
    const entries = (await res.json()) as Array<{ executor_id: string; statistics: Record<string, number> }>;
    const mine = entries.find((e) => e.executor_id === burn.builtOn)!;
    expect(mine.statistics['cpus_limit']).toBe(1.1);
    expect(mine.statistics['mem_limit_bytes']).toBe(Math.round(313.6 * 1024 * 1024));
    const mesosSecs = mine.statistics['cpus_user_time_secs']! + mine.statistics['cpus_system_time_secs']!;
    expect(Math.abs(mesosSecs - dockerSecs) / dockerSecs).toBeLessThan(0.1);
    // The workload burns at most its 0.5 cores (less when the shared host is saturated).
    const elapsedSecs = (Date.now() - burn.startMs) / 1000;
    expect(dockerSecs / elapsedSecs).toBeLessThan(0.6);
    expect(mine.statistics['mem_rss_bytes']).toBeGreaterThan(25 * 1024 * 1024);
    // /containers names the container, so `mesos-<container_id>` joins to Docker exactly.
    const containers = (await (await fetch(em.urls.agents[0] + '/containers')).json()) as Array<{ container_id: string; executor_id: string; statistics: Record<string, number> }>;
    const ct = containers.find((x) => x.executor_id === burn.builtOn)!;
    expect(ct.container_id).toBe(burn.containerId);
    expect(Math.abs(ct.statistics['cpus_user_time_secs']! + ct.statistics['cpus_system_time_secs']! - dockerSecs) / dockerSecs).toBeLessThan(0.1);
  });

  it('queue waits appear while the agent is full and vanish when it is not', async () => {
    const queue = await jenkins('queue/api/json');
    const waiting = (queue['items'] as Array<Record<string, unknown>>).find((i) => (i['task'] as { name: string }).name === 'second');
    expect(waiting?.['why']).toBe('Waiting for next available executor on \u2018L\u2019');
    const second = await waitFor('second #1 to finish', () => {
      const b = em.cluster.engine.build('second', 1);
      return b && !b.building ? b : undefined;
    }, 60_000);
    expect(second.result).toBe('SUCCESS');
    const b2 = await jenkins('job/second/1/api/json?depth=1');
    const tiq = (b2['actions'] as Array<Record<string, unknown>>).find((a) => a['_class'] === 'jenkins.metrics.impl.TimeInQueueAction')!;
    // It arrived 1 s after burn and waited for burn's 40 s build (+ 1 s launch of its own agent).
    expect(tiq['buildableDurationMillis']).toBeGreaterThanOrEqual(35_000);
    expect(b2['builtOn']).toMatch(/^mesos-jenkins-[0-9a-f]{32}-L$/);

    const late = await waitFor('late #1 to start', () => em.cluster.engine.build('late', 1), 60_000);
    expect(late.buildableMs).toBeLessThan(5_000);
  });

  it('a build over its memory limit is really OOM-killed and fails', async () => {
    const hog = await waitFor('hog #1 to end', () => {
      const b = em.cluster.engine.build('hog', 1);
      return b && !b.building ? b : undefined;
    }, 60_000);
    expect(hog.result).toBe('FAILURE');
    expect(hog.oomKilled).toBe(true);
    expect(hog.endMs! - hog.startMs).toBeLessThan(15_000);
    const b = await jenkins('job/hog/1/api/json');
    expect(b['result']).toBe('FAILURE');
    await waitFor('hog’s container to be removed', async () => ((await docker.listContainers({ all: true, filters: { name: [`mesos-${hog.containerId}`] } })).length === 0 ? true : undefined), 10_000);
  });

  it('after a failover the non-leaders redirect to the new leader', async () => {
    const [m0, m1, m2] = em.urls.masters as [string, string, string];
    const res = await fetch(m0 + '/__emulator/failover', { method: 'POST' });
    expect(((await res.json()) as { leader: string }).leader).toBe(m1);
    for (const m of [m0, m2]) {
      const r = await fetch(m + '/master/state', { redirect: 'manual' });
      expect(r.status).toBe(307);
      expect(r.headers.get('location')).toBe(`${m1.replace('http:', '')}/master/state`);
      const snap = (await (await fetch(m + '/metrics/snapshot')).json()) as Record<string, number>;
      expect(snap['master/elected']).toBe(0);
    }
    const state = (await (await fetch(m1 + '/master/state')).json()) as Record<string, unknown>;
    expect(state['leader']).toBe(state['pid']);
    // /master/redirect on the old leader points at the new one.
    const followed = await fetch(m0 + '/master/redirect', { redirect: 'manual' });
    expect(followed.headers.get('location')).toBe(m1.replace('http:', ''));
  });
});

describe('docker mode prerequisites', () => {
  it('a missing workload image falls back to modelled usage and says why', async () => {
    const scenario = validateScenario({
      agents: [{ cpus: 2, memMb: 2048 }],
      labels: [{ name: 'x', dockerImage: 'rightsize/does-not-exist:0' }],
      jobs: [{ name: 'j', label: 'x', ratePerHour: 0, duration: { kind: 'fixed', seconds: 5 }, cpu: { kind: 'constant', cores: 0.1 }, memMb: 10 }],
    });
    const other = await startEmulatedCluster(scenario, { usage: 'docker', dockerHost: testDockerHost() });
    try {
      expect(other.urls.mode).toBe('model');
      expect(other.fallbackReason).toMatch(/rightsize\/does-not-exist:0 not found/);
    } finally {
      await other.stop();
    }
  });
});
