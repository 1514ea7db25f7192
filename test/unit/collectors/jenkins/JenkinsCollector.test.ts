import { afterEach, describe, expect, it } from 'vitest';
import { JenkinsCollector, jobTreeQuery, resolveJenkinsCredentials, type FinishedBuild } from '../../../../src/collectors/jenkins/index.js';
import type { QueueDoc, Sample } from '../../../../src/model/index.js';
import { UpstreamError, type RightsizeError } from '../../../../src/errors/index.js';
import { ManualClock } from '../../../../src/util/clock.js';
import { fakeServer, json, text, type FakeServer, type Route } from '../http/fakeServer.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const T0 = Date.parse('2026-11-22T03:00:00Z');
const MIN = 60_000;
const AUTH = 'Basic ' + Buffer.from('ci-bot:api-token-123').toString('base64');

function authed(route: Route): Route {
  return (req, res) => {
    if (req.headers.authorization !== AUTH) {
      res.writeHead(401, { 'content-type': 'text/html' });
      res.end('<html>Authentication required</html>');
      return;
    }
    route(req, res);
  };
}

/** A fake Jenkins whose answers the test mutates between polls. */
async function fakeJenkins() {
  const s = await fakeServer();
  servers.push(s);
  const world = {
    queue: [] as unknown[],
    computers: [] as unknown[],
    busy: 0,
    jobs: [] as unknown[],
    builds: new Map<string, unknown[]>(),
  };
  s.routes.set('/queue/api/json', authed(json(() => ({ items: world.queue }))));
  s.routes.set('/computer/api/json', authed(json(() => ({ busyExecutors: world.busy, totalExecutors: 4, computer: world.computers }))));
  s.routes.set('/api/json', authed(json(() => ({ jobs: world.jobs }))));
  const jobRoute = (path: string) => authed(json(() => ({ builds: world.builds.get(path) ?? [] })));
  return { s, world, jobRoute };
}

const build = (n: number, startMs: number, durationMs: number, extra: Record<string, unknown> = {}) => ({
  number: n,
  url: `http://jenkins/job/top/${n}/`,
  timestamp: startMs,
  duration: durationMs,
  result: 'SUCCESS',
  building: false,
  builtOn: 'mesos-jenkins-abc-docker',
  queueId: 1000 + n,
  actions: [{}],
  ...extra,
});

const queueDocsOf = (samples: readonly Sample[]): QueueDoc[] => samples.flatMap((s) => (s.kind === 'queue' ? [s.doc] : []));

describe('JenkinsCollector', () => {
  it('queue + executors every poll; finished builds once each, incrementally, with folders, backfill and queue-poll waits', async () => {
    const { s, world, jobRoute } = await fakeJenkins();
    s.routes.set('/job/top/api/json', jobRoute('top'));
    s.routes.set('/job/team/job/app/api/json', jobRoute('team/app'));
    const clock = new ManualClock(T0);
    const reported: FinishedBuild[][] = [];
    const c = new JenkinsCollector({
      url: `${s.url}/`,
      auth: { username: 'ci-bot', password: 'api-token-123' },
      timeoutMs: 2000,
      maxResponseBytes: 1_000_000,
      clock,
      onFinishedBuilds: (b) => reported.push([...b]),
    });

    // --- poll 1: collector start
    world.jobs = [
      { name: 'top', url: 'http://jenkins/job/top/', lastCompletedBuild: { number: 2 }, lastBuild: { number: 3 } },
      { _class: 'com.cloudbees.hudson.plugins.folder.Folder', name: 'team', jobs: [{ name: 'app', lastCompletedBuild: { number: 5 }, lastBuild: { number: 5 } }] },
      { name: 'never-built', lastCompletedBuild: null, lastBuild: null },
    ];
    world.builds.set('top', [
      { number: 3, url: 'http://jenkins/job/top/3/', building: true, result: null, timestamp: T0 - 1 * MIN, duration: 0, queueId: 1003 },
      build(2, T0 - 20 * MIN, 10 * MIN),
      build(1, T0 - 3 * 60 * MIN, 10 * MIN), // ended long before the collector started
    ]);
    world.builds.set('team/app', [
      {
        ...build(5, T0 - 30 * MIN, 5 * MIN, { url: 'http://jenkins/job/team/job/app/5/', queueId: 1005, builtOn: '' }),
        actions: [{ _class: 'jenkins.metrics.impl.TimeInQueueAction', blockedDurationMillis: 0, buildableDurationMillis: 1200, waitingDurationMillis: 300 }],
      },
    ]);
    world.queue = [
      { id: 2001, inQueueSince: T0 - 2 * MIN, buildable: true, why: 'Waiting for next available executor on ‘docker’', task: { name: 'top', url: 'http://jenkins/job/top/' } },
    ];
    world.computers = [
      {
        displayName: 'mesos-jenkins-abc-docker',
        offline: false,
        numExecutors: 1,
        assignedLabels: [{ name: 'docker' }],
        executors: [{ idle: false, currentExecutable: { number: 3, url: 'http://jenkins/job/top/3/' } }],
      },
    ];
    world.busy = 1;
    const p1 = await c.poll(new AbortController().signal);
    expect(p1.result.errors).toEqual([]);
    expect(p1.result.skipped).toEqual({ build_before_start: 1 });
    expect(p1.finishedBuilds.map((b) => `${b.jobName}#${b.number}`)).toEqual(['top#2', 'team/app#5']);
    expect(p1.finishedBuilds[1]).toMatchObject({ builtOn: '', queue: { waitMs: 1500, buildableMs: 1200, source: 'time_in_queue_action' }, endMs: T0 - 25 * MIN });
    expect(p1.running).toEqual([{ nodeName: 'mesos-jenkins-abc-docker', jobName: 'top', number: 3, url: 'http://jenkins/job/top/3/' }]);
    const q1 = queueDocsOf(p1.result.samples);
    expect(q1.map((d) => [d.event.dataset, d.jenkins?.label, d.queue.length, d.queue.oldest_wait_ms, d.executors])).toEqual([
      ['jenkins.queue', undefined, 1, 2 * MIN, { total: 4, busy: 1, idle: 3 }],
      ['jenkins.queue.label', 'docker', 1, 2 * MIN, { total: 1, busy: 1, idle: 0 }],
    ]);
    expect(q1[0]!.jenkins!.url).toBe(`${s.url}/`);

    // --- poll 2: build 3 finished (it started from queue item 1003 we never saw); queue item 2001 became build 4
    clock.advance(MIN);
    world.jobs = [
      { name: 'top', url: 'http://jenkins/job/top/', lastCompletedBuild: { number: 3 }, lastBuild: { number: 4 } },
      { _class: 'com.cloudbees.hudson.plugins.folder.Folder', name: 'team', jobs: [{ name: 'app', lastCompletedBuild: { number: 5 }, lastBuild: { number: 5 } }] },
    ];
    world.builds.set('top', [
      { number: 4, url: 'http://jenkins/job/top/4/', building: true, result: null, timestamp: T0 + 30_000, duration: 0, queueId: 2001 },
      build(3, T0 - 1 * MIN, 90_000, { queueId: 1003 }),
      build(2, T0 - 20 * MIN, 10 * MIN),
    ]);
    world.queue = [];
    const before = s.requests.length;
    const p2 = await c.poll(new AbortController().signal);
    expect(p2.result.errors).toEqual([]);
    expect(p2.finishedBuilds.map((b) => `${b.jobName}#${b.number}`)).toEqual(['top#3']);
    expect(p2.finishedBuilds[0]!.nodeName).toBe('mesos-jenkins-abc-docker');
    // never seen in the queue: the label is the one of the node it ran on
    expect(p2.finishedBuilds[0]!.label).toBe('docker');
    expect(p2.finishedBuilds[0]!.queue).toBeUndefined();
    // team/app did not change: not asked again
    expect(s.requests.slice(before).map((r) => r.split('?')[0])).toEqual(['/queue/api/json', '/computer/api/json', '/api/json', '/job/top/api/json']);
    expect(queueDocsOf(p2.result.samples)).toHaveLength(1);

    // --- poll 3: build 4 finished; its queue wait is measured from our own queue polls (no TimeInQueueAction)
    clock.advance(MIN);
    world.jobs[0] = { name: 'top', lastCompletedBuild: { number: 4 }, lastBuild: { number: 4 } };
    world.builds.set('top', [build(4, T0 + 30_000, 60_000, { queueId: 2001 }), build(3, T0 - 1 * MIN, 90_000, { queueId: 1003 })]);
    // (through the Collector interface: finished builds go to onFinishedBuilds)
    const p3 = await c.collect(new AbortController().signal);
    expect(p3.errors).toEqual([]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toHaveLength(1);
    // entered the queue at T0 − 2 min, started at T0 + 30 s
    expect(reported[0]![0]).toMatchObject({ number: 4, label: 'docker', queue: { waitMs: 150_000, source: 'queue_poll' } });

    // --- poll 4: nothing new → no build requests at all
    clock.advance(MIN);
    const before4 = s.requests.length;
    const p4 = await c.collect(new AbortController().signal);
    expect(p4.errors).toEqual([]);
    expect(s.requests.slice(before4).map((r) => r.split('?')[0])).toEqual(['/queue/api/json', '/computer/api/json', '/api/json']);
    expect(reported).toHaveLength(1); // no new builds → no callback
    // the tree and builds requests are bounded
    expect(decodeURIComponent(s.requests.find((r) => r.startsWith('/job/top/api/json'))!)).toContain('{0,50}');
    await c.shutdown();
  });

  it('wrong credentials: every endpoint 401 → the round fails with RS_ERR_HTTP_STATUS, token never in the error', async () => {
    const { s } = await fakeJenkins();
    const c = new JenkinsCollector({ url: s.url, auth: { username: 'ci-bot', password: 'wrong-token' }, timeoutMs: 2000, maxResponseBytes: 1_000_000 });
    const err = (await c.collect(new AbortController().signal).catch((e: unknown) => e)) as UpstreamError;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.code).toBe('RS_ERR_HTTP_STATUS');
    expect(JSON.stringify({ m: err.message, meta: err.meta })).not.toContain('wrong-token');
  });

  it('a garbled computer answer and a future queue timestamp are errors; the queue document still comes, without executors', async () => {
    const { s, world } = await fakeJenkins();
    s.routes.set('/computer/api/json', authed(text('<html>Oops</html>')));
    world.queue = [{ id: 1, inQueueSince: T0 + 10 * 24 * 60 * MIN, buildable: true, task: { name: 'x' } }];
    const c = new JenkinsCollector({ url: s.url, auth: { username: 'ci-bot', password: 'api-token-123' }, timeoutMs: 2000, maxResponseBytes: 1_000_000, clock: new ManualClock(T0) });
    const r = await c.collect(new AbortController().signal);
    expect(r.errors.map((e) => e.code)).toEqual(['RS_ERR_PARSE_JSON', 'RS_ERR_PARSE_SHAPE']);
    expect(queueDocsOf(r.samples)).toEqual([
      { '@timestamp': new Date(T0).toISOString(), event: { dataset: 'jenkins.queue', module: 'jenkins' }, jenkins: { url: `${s.url}/` }, queue: { length: 1, buildable: 1, blocked: 0, stuck: 0 } },
    ]);
  });

  it('builds finishing out of order are each reported once', async () => {
    const { s, world, jobRoute } = await fakeJenkins();
    s.routes.set('/job/par/api/json', jobRoute('par'));
    const clock = new ManualClock(T0);
    const c = new JenkinsCollector({ url: s.url, auth: { username: 'ci-bot', password: 'api-token-123' }, timeoutMs: 2000, maxResponseBytes: 1_000_000, clock });
    world.jobs = [{ name: 'par', lastCompletedBuild: { number: 7 }, lastBuild: { number: 7 } }];
    world.builds.set('par', [
      build(7, T0 - 2 * MIN, MIN),
      { number: 6, building: true, result: null, timestamp: T0 - 5 * MIN, duration: 0 },
    ]);
    expect((await c.poll(new AbortController().signal)).finishedBuilds.map((b) => b.number)).toEqual([7]);
    clock.advance(MIN);
    // #6 finishes later; lastCompletedBuild stays 7, but #6 was seen running, so the job is asked again
    world.builds.set('par', [build(7, T0 - 2 * MIN, MIN), build(6, T0 - 5 * MIN, 5 * MIN + 30_000)]);
    expect((await c.poll(new AbortController().signal)).finishedBuilds.map((b) => b.number)).toEqual([6]);
    clock.advance(MIN);
    expect((await c.poll(new AbortController().signal)).finishedBuilds).toEqual([]);
  });

  it('a server that lists folders without their jobs: each folder is asked for directly', async () => {
    const { s, world, jobRoute } = await fakeJenkins();
    world.jobs = [{ _class: 'com.cloudbees.hudson.plugins.folder.Folder', name: 'team-a', url: 'http://jenkins/job/team-a/' }];
    s.routes.set('/job/team-a/api/json', authed(json({ jobs: [{ _class: 'hudson.model.FreeStyleProject', name: 'integration', lastCompletedBuild: { number: 1 } }] })));
    s.routes.set('/job/team-a/job/integration/api/json', jobRoute('team-a/integration'));
    world.builds.set('team-a/integration', [build(1, T0 - 2 * MIN, MIN, { url: 'http://jenkins/job/team-a/job/integration/1/' })]);
    const c = new JenkinsCollector({ url: s.url, auth: { username: 'ci-bot', password: 'api-token-123' }, timeoutMs: 2000, maxResponseBytes: 1_000_000, clock: new ManualClock(T0), folderDepth: 2 });
    const p = await c.poll(new AbortController().signal);
    expect(p.result.errors).toEqual([]);
    expect(p.finishedBuilds.map((b) => `${b.jobName}#${b.number}`)).toEqual(['team-a/integration#1']);
    const folderReq = s.requests.find((r) => r.startsWith('/job/team-a/api/json'))!;
    // one level left below team-a within folderDepth 2
    expect(decodeURIComponent(folderReq).match(/jobs\[/g)).toHaveLength(2);
  });

  it('a server ignoring lastCompletedBuild in the tree: the job is asked every poll, each build still reported once', async () => {
    const { s, world, jobRoute } = await fakeJenkins();
    world.jobs = [{ _class: 'hudson.model.FreeStyleProject', name: 'plain', url: 'http://jenkins/job/plain/' }];
    s.routes.set('/job/plain/api/json', jobRoute('plain'));
    world.builds.set('plain', [build(1, T0 - 2 * MIN, MIN)]);
    const c = new JenkinsCollector({ url: s.url, auth: { username: 'ci-bot', password: 'api-token-123' }, timeoutMs: 2000, maxResponseBytes: 1_000_000, clock: new ManualClock(T0) });
    expect((await c.poll(new AbortController().signal)).finishedBuilds.map((b) => b.number)).toEqual([1]);
    expect((await c.poll(new AbortController().signal)).finishedBuilds).toEqual([]);
    expect(s.requests.filter((r) => r.startsWith('/job/plain/api/json'))).toHaveLength(2);
  });

  it('folder depth is capped in the tree query', () => {
    expect(jobTreeQuery(0)).toBe('jobs[name,url,_class,lastCompletedBuild[number],lastBuild[number]]');
    expect(jobTreeQuery(2).match(/jobs\[/g)).toHaveLength(3);
  });
});

describe('resolveJenkinsCredentials', () => {
  it('token from config, else tokenFile (first line), else env; user from config or env', () => {
    expect(resolveJenkinsCredentials({ username: 'u', token: 't' }, {})).toEqual({ username: 'u', password: 't' });
    expect(resolveJenkinsCredentials({ username: 'u', tokenFile: '/x' }, {}, () => 'from-file\nignored\n')).toEqual({ username: 'u', password: 'from-file' });
    expect(resolveJenkinsCredentials({}, { RIGHTSIZE_JENKINS_TOKEN: 'env-t', RIGHTSIZE_JENKINS_USER: 'env-u' })).toEqual({ username: 'env-u', password: 'env-t' });
    expect(resolveJenkinsCredentials({}, {})).toBeUndefined();
  });
  it('a token without a user, an unreadable or empty token file: coded configuration errors', () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return (e as RightsizeError).code;
      }
      return undefined;
    };
    expect(codeOf(() => resolveJenkinsCredentials({ token: 't' }, {}))).toBe('RS_ERR_CONFIG_INVALID');
    expect(codeOf(() => resolveJenkinsCredentials({ username: 'u', tokenFile: '/nonexistent/token' }, {}))).toBe('RS_ERR_CONFIG_READ');
    expect(codeOf(() => resolveJenkinsCredentials({ username: 'u', tokenFile: '/x' }, {}, () => '\n'))).toBe('RS_ERR_CONFIG_INVALID');
  });
});
