import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatedCluster, validateScenario, type RunningEmulator } from '../../../src/emulators/index.js';
import { ManualClock } from '../../../src/util/index.js';

const T0 = 1_763_000_000_000;
let em: RunningEmulator;
let clock: ManualClock;
let auth: string;

function advance(seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    em.tick();
  }
}

async function get(url: string, withAuth = true): Promise<Response> {
  return fetch(url, { headers: withAuth ? { authorization: auth } : {}, redirect: 'manual' });
}

async function body(url: string): Promise<Record<string, unknown>> {
  const res = await get(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  clock = new ManualClock(T0);
  const scenario = validateScenario({
    seed: 5,
    mesos: { masters: 3, launchSeconds: 2 },
    jenkins: { user: 'alice', token: 'a-long-api-token' },
    agents: [{ count: 1, cpus: 1, memMb: 4096 }],
    labels: [{ name: 'L', slaveCpus: 0.5, executorCpus: 0.5, slaveMem: 100, executorMem: 100, maxExecutors: 1, singleUse: true }],
    jobs: [
      { name: 'team/app/build', label: 'L', ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 20 }, cpu: { kind: 'constant', cores: 0.5 }, memMb: 50 },
      { name: 'other', label: 'L', ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 20 }, cpu: { kind: 'constant', cores: 0.5 }, memMb: 50 },
    ],
  });
  em = await startEmulatedCluster(scenario, { clock, usage: 'model' });
  auth = 'Basic ' + Buffer.from('alice:a-long-api-token').toString('base64');
});

afterAll(async () => {
  await em.stop();
  await em.stop(); // idempotent
});

describe('Jenkins server', () => {
  it('answers 401 with WWW-Authenticate without or with wrong credentials', async () => {
    const none = await get(em.urls.jenkins.url + 'api/json', false);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="Jenkins"');
    const wrong = await fetch(em.urls.jenkins.url + 'api/json', { headers: { authorization: 'Basic ' + Buffer.from('alice:nope').toString('base64') } });
    expect(wrong.status).toBe(401);
    expect((await body(em.urls.jenkins.url + 'api/json'))['_class']).toBe('hudson.model.Hudson');
  });

  it('serves folders as /job/a/job/b and reports queue waits while the one agent is busy', async () => {
    advance(1); // both queued at T0; only one 1-cpu task fits, and it is still staging
    const root = await body(em.urls.jenkins.url + 'api/json?tree=jobs[name,_class]');
    expect(root['jobs']).toEqual([
      { _class: 'hudson.model.FreeStyleProject', name: 'other' },
      { _class: 'com.cloudbees.hudson.plugins.folder.Folder', name: 'team' },
    ]);
    const folder = await body(em.urls.jenkins.url + 'job/team/job/app/api/json');
    expect(folder['_class']).toBe('com.cloudbees.hudson.plugins.folder.Folder');
    expect((folder['jobs'] as Array<{ url: string }>)[0]!.url).toBe(em.urls.jenkins.url + 'job/team/job/app/job/build/');
    const queue = await body(em.urls.jenkins.url + 'queue/api/json');
    const items = queue['items'] as Array<Record<string, unknown>>;
    // Both wait: one for the agent being launched (staging for 2 s), one for room on the cluster.
    expect(items).toHaveLength(2);
    expect(items[1]).toMatchObject({ _class: 'hudson.model.Queue$BuildableItem', buildable: true, blocked: false, stuck: false, inQueueSince: T0, buildableStartMilliseconds: T0, why: 'Waiting for next available executor on \u2018L\u2019' });
    expect((await get(em.urls.jenkins.url + 'queue/item/999/api/json')).status).toBe(404);
    expect((await get(em.urls.jenkins.url + 'job/nope/api/json')).status).toBe(404);
    expect((await get(em.urls.jenkins.url + 'api/json?tree=jobs[name')).status).toBe(400);
    expect((await get(em.urls.jenkins.url + 'job/%ZZ/api/json')).status).toBe(404);
    expect((await get(em.urls.jenkins.url + 'computer/api/json?depth=-1')).status).toBe(400);
  });

  it('depth 0 hides executor details and TimeInQueueAction visibility-1 fields; depth 1 and tree show them', async () => {
    advance(2); // the first agent comes online at T0+2 s; its build starts
    const c0 = await body(em.urls.jenkins.url + 'computer/api/json');
    const node0 = (c0['computer'] as Array<Record<string, unknown>>)[1]!;
    expect(node0['executors']).toEqual([{}]);
    const c1 = await body(em.urls.jenkins.url + 'computer/api/json?depth=1');
    const node1 = (c1['computer'] as Array<Record<string, unknown>>)[1]!;
    const ex = (node1['executors'] as Array<Record<string, unknown>>)[0]!;
    expect(ex['idle']).toBe(false);
    expect(ex['currentExecutable']).toMatchObject({ number: 1 });
    expect(c1['busyExecutors']).toBe(1);
    const one = await body(`${em.urls.jenkins.url}computer/${String(node1['displayName'])}/api/json?depth=1`);
    expect(one).toEqual(node1);
    expect((await body(`${em.urls.jenkins.url}computer/(built-in)/api/json`))['_class']).toBe('hudson.model.Hudson$MasterComputer');
    expect((await get(`${em.urls.jenkins.url}computer/nope/api/json`)).status).toBe(404);
    advance(20); // first build ends at T0+22 s; the second agent launches and runs from T0+24 s
    advance(2);
    const first = em.cluster.engine.jobs.get('team/app/build')!.builds[0] ?? em.cluster.engine.jobs.get('other')!.builds[0]!;
    const url = `${em.urls.jenkins.url}${first.job === 'other' ? 'job/other/' : 'job/team/job/app/job/build/'}1/api/json`;
    const d0 = await body(url);
    const tiq0 = (d0['actions'] as Array<Record<string, unknown>>).find((a) => a['_class'] === 'jenkins.metrics.impl.TimeInQueueAction')!;
    expect(tiq0['queuingDurationMillis']).toBeUndefined();
    expect(tiq0).toMatchObject({ buildableDurationMillis: 2000, waitingDurationMillis: 0, buildingDurationMillis: 20_000 });
    const d1 = await body(url.replace('api/json', 'api/json?depth=1'));
    const tiq1 = (d1['actions'] as Array<Record<string, unknown>>).find((a) => a['_class'] === 'jenkins.metrics.impl.TimeInQueueAction')!;
    expect(tiq1).toMatchObject({ queuingDurationMillis: 2000, totalDurationMillis: 22_000 });
    expect(d1).toMatchObject({ building: false, result: 'SUCCESS', duration: 20_000, timestamp: T0 + 2000, queueId: first.queueId, builtOn: first.builtOn });
    const second = em.cluster.engine.build(first.job === 'other' ? 'team/app/build' : 'other', 1)!;
    expect(second.buildableMs).toBe(24_000);
    const left = await body(`${em.urls.jenkins.url}queue/item/${second.queueId}/api/json`);
    expect(left).toMatchObject({ _class: 'hudson.model.Queue$LeftItem', cancelled: false, executable: { number: 1 } });
  });
});

describe('Mesos masters', () => {
  it('non-leaders redirect state endpoints with 307 to the leader and report elected 0', async () => {
    const [m0, m1] = em.urls.masters as [string, string, string];
    const leaderHostPort = m0.replace('http:', '');
    const r = await get(m1 + '/master/state?jsonp=x');
    expect(r.status).toBe(307);
    expect(r.headers.get('location')).toBe(`${leaderHostPort}/master/state`);
    expect((await get(m1 + '/master/redirect')).headers.get('location')).toBe(leaderHostPort);
    expect((await get(m0 + '/master/redirect')).status).toBe(307);
    const s1 = await body(m1 + '/metrics/snapshot');
    expect(s1['master/elected']).toBe(0);
    expect(s1['master/cpus_total']).toBe(0);
    const s0 = await body(m0 + '/metrics/snapshot');
    expect(s0['master/elected']).toBe(1);
    expect(s0['master/cpus_total']).toBe(1);
    const state = await body(m0 + '/master/state');
    expect(state['leader']).toBe(state['pid']);
    const fw = (state['frameworks'] as Array<Record<string, unknown>>)[0]!;
    expect(fw['name']).toBe('Jenkins Scheduler');
    // One single-use agent finished its build at T0+22 s; the second runs since T0+24 s.
    expect((await get(m1 + '/master/state-summary')).status).toBe(307);
    const summary = await body(m0 + '/master/state-summary');
    expect((summary['frameworks'] as Array<Record<string, unknown>>)[0]).toMatchObject({ name: 'Jenkins Scheduler', TASK_RUNNING: 1, TASK_FINISHED: 1, TASK_STAGING: 0 });
    expect((summary['slaves'] as Array<Record<string, unknown>>)[0]).toMatchObject({ TASK_RUNNING: 1, TASK_FINISHED: 1 });
  });

  it('the failover endpoint elects a new leader whose counters and uptime start at zero', async () => {
    advance(10);
    const [m0, m1, m2] = em.urls.masters as [string, string, string];
    const before = await body(m0 + '/metrics/snapshot');
    expect(before['master/tasks_finished']).toBe(1);
    expect(before['master/uptime_secs']).toBe(35); // 1 + 2 + 20 + 2 + 10 s since the start
    expect((await fetch(m2 + '/__emulator/failover?to=abc', { method: 'POST' })).status).toBe(400);
    expect((await fetch(m2 + '/__emulator/failover?to=7', { method: 'POST' })).status).toBe(400);
    const res = await fetch(m2 + '/__emulator/failover', { method: 'POST' });
    expect(await res.json()).toEqual({ leader: m1, index: 1 });
    const after = await body(m1 + '/metrics/snapshot');
    expect(after).toMatchObject({ 'master/elected': 1, 'master/tasks_finished': 0, 'master/cpus_total': 1 });
    const r = await get(m0 + '/master/state');
    expect(r.status).toBe(307);
    expect(r.headers.get('location')).toBe(m1.replace('http:', '') + '/master/state');
    const old = await body(m0 + '/metrics/snapshot');
    expect(old).toMatchObject({ 'master/elected': 0, 'master/uptime_secs': 0 });
    const st = await body(m1 + '/state');
    expect(st['leader']).toBe(st['pid']);
    expect(st['elected_time']).toBe(clock.nowMs() / 1000);
  });
});

describe('Mesos agent', () => {
  it('serves statistics with executor-overhead limits and 404s unknown paths', async () => {
    const stats = (await body(em.urls.agents[0] + '/monitor/statistics.json')) as unknown as Array<{ executor_id: string; statistics: Record<string, number> }>;
    expect(stats).toHaveLength(1);
    const task = [...em.cluster.engine.tasks.values()][0]!;
    expect(stats[0]!.executor_id).toBe(task.id);
    // task 1 cpu / 220 MB → limits 1.1 cpus and (220 + 32) MiB.
    expect(stats[0]!.statistics['cpus_limit']).toBe(1.1);
    expect(stats[0]!.statistics['mem_limit_bytes']).toBe(252 * 1024 * 1024);
    expect((await get(em.urls.agents[0] + '/nope')).status).toBe(404);
  });
});

describe('the kill endpoint (fault tests)', () => {
  it('kills the leader after failing over to a live master, kills an agent, and refuses bad targets', async () => {
    const scenario = validateScenario({
      seed: 5,
      mesos: { masters: 3, launchSeconds: 2 },
      jenkins: { user: 'alice', token: 'a-long-api-token' },
      agents: [{ count: 2, cpus: 1, memMb: 4096 }],
      labels: [{ name: 'L', slaveCpus: 0.5, executorCpus: 0.5, slaveMem: 100, executorMem: 100, maxExecutors: 1, singleUse: true }],
      jobs: [{ name: 'j', label: 'L', ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 20 }, cpu: { kind: 'constant', cores: 0.5 }, memMb: 50 }],
    });
    const k = await startEmulatedCluster(scenario, { clock: new ManualClock(T0), usage: 'model' });
    try {
      const [m0, m1, m2] = k.urls.masters as [string, string, string];
      const [a0, a1] = k.urls.agents as [string, string];
      const kill = (base: string, q: string) => fetch(`${base}/__emulator/kill?${q}`, { method: 'POST' });
      expect((await kill(m1, 'master=9')).status).toBe(400);
      expect((await kill(m1, 'agent=x')).status).toBe(400);
      expect((await kill(m1, '')).status).toBe(400);
      expect((await fetch(`${m1}/__emulator/kill?master=0`)).status).toBe(405);
      const res = await kill(m1, 'master=0');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ killed: { master: 0 }, leader: m1 });
      await expect(fetch(`${m0}/health`)).rejects.toThrow();
      const st = (await (await fetch(`${m1}/master/state`)).json()) as Record<string, unknown>;
      expect(st['leader']).toBe(st['pid']);
      expect((await kill(m2, 'master=2')).status).toBe(200);
      expect((await kill(m1, 'master=1')).status).toBe(400); // the last live master
      expect((await kill(m1, 'agent=0')).status).toBe(200);
      await expect(fetch(`${a0}/health`)).rejects.toThrow();
      expect((await fetch(`${a1}/health`)).status).toBe(200);
    } finally {
      await k.stop();
    }
  });
});
