/** The collector shell against an in-process Engine API double on a real HTTP server. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectorFromEndpoint, type DockerCollector } from '../../../../src/collectors/docker/index.js';
import { RightsizeError } from '../../../../src/errors/index.js';
import type { ContainerDoc, Sample } from '../../../../src/model/index.js';
import { ManualClock } from '../../../../src/util/index.js';
import { FakeEngine } from './fakeEngine.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const never = new AbortController().signal;

function docs(samples: readonly Sample[]): Map<string, ContainerDoc> {
  const out = new Map<string, ContainerDoc>();
  for (const s of samples) if (s.kind === 'container') out.set(s.doc.container.id, s.doc);
  return out;
}

describe('DockerCollector against a fake engine', () => {
  let engine: FakeEngine;
  let clock: ManualClock;
  let collector: DockerCollector | undefined;
  const make = (opts: { timeoutMs?: number; concurrency?: number } = {}): DockerCollector => {
    collector = collectorFromEndpoint(engine.url, { clock, timeoutMs: opts.timeoutMs ?? 2000, concurrency: opts.concurrency ?? 4 });
    return collector;
  };

  beforeEach(async () => {
    engine = new FakeEngine();
    clock = new ManualClock(Date.UTC(2026, 10, 22, 3, 0, 0));
    engine.add({ id: A, name: 'alpha', totalUsageNs: 1_000_000_000, read: '2026-11-22T03:00:00Z', memoryUsage: 64 * 2 ** 20, nanoCpus: 1e9, memoryLimit: 256 * 2 ** 20 });
    engine.add({ id: B, name: 'beta', totalUsageNs: 0, read: '2026-11-22T03:00:00Z' });
    await engine.start();
  });

  afterEach(async () => {
    await collector?.shutdown();
    collector = undefined;
    await engine.stop();
  });

  /** Moves both the daemon's `read` and the collector's clock on by `ms`, and adds CPU. */
  function advance(ms: number, cpuNs: Record<string, number>): void {
    clock.advance(ms);
    const iso = new Date(clock.nowMs()).toISOString();
    for (const c of engine.containers.values()) {
      c.read = iso;
      c.totalUsageNs += cpuNs[c.id] ?? 0;
    }
  }

  it('asks for one-shot stats: stream=false&one-shot=true in the query', async () => {
    await make().collect(never);
    expect(engine.requests).toContain(`/containers/${A}/stats?stream=false&one-shot=true`);
  });

  it('first round: documents without cpu.cores; second round: cores from the two readings', async () => {
    const c = make();
    const first = await c.collect(never);
    expect(first.errors).toEqual([]);
    expect(first.skipped).toEqual({ first_reading: 2 });
    const a1 = docs(first.samples).get(A)!;
    expect(a1.cpu).toEqual({ limit_cores: 1 });
    expect(a1.memory).toMatchObject({ working_set_bytes: 64 * 2 ** 20, limit_bytes: 256 * 2 ** 20 });
    expect(a1.host).toEqual({ name: 'fake-host' });
    expect(a1.container).toMatchObject({ name: 'alpha', image: { name: 'img:1' }, labels: { 'team.name': 'ci' } });

    // 2 s later: alpha used 1.0 s of CPU (→ 0.5 cores), beta 3.0 s (→ 1.5 cores)
    advance(2000, { [A]: 1_000_000_000, [B]: 3_000_000_000 });
    const second = await c.collect(never);
    expect(second.errors).toEqual([]);
    expect(second.skipped).toEqual({});
    const d = docs(second.samples);
    expect(d.get(A)!.cpu).toEqual({ cores: 0.5, limit_cores: 1, interval_ms: 2000, core_seconds: 1, throttled: { periods: 0, time_ms: 0 } });
    expect(d.get(B)!.cpu?.cores).toBe(1.5);
    expect(d.get(A)!['@timestamp']).toBe('2026-11-22T03:00:02.000Z');

  });

  it('memory.peak_bytes: the high-water mark on a first reading, then only when it rose in the interval', async () => {
    const c = make();
    const a = engine.containers.get(A)!;
    a.maxUsage = 100 * 2 ** 20;
    expect(docs((await c.collect(never)).samples).get(A)!.memory?.peak_bytes).toBe(100 * 2 ** 20);
    advance(1000, {});
    expect(docs((await c.collect(never)).samples).get(A)!.memory?.peak_bytes).toBeUndefined();
    a.maxUsage = 150 * 2 ** 20;
    advance(1000, {});
    expect(docs((await c.collect(never)).samples).get(A)!.memory?.peak_bytes).toBe(150 * 2 ** 20);
  });

  it('inspects each container once, and again after it disappeared and came back', async () => {
    const c = make();
    for (let i = 0; i < 3; i++) {
      await c.collect(never);
      advance(1000, {});
    }
    expect(engine.count(`/containers/${A}/json`)).toBe(1);
    const a = engine.containers.get(A)!;
    engine.containers.delete(A);
    await c.collect(never);
    expect(c.trackedContainers).toBe(1); // alpha's previous reading is evicted
    engine.add(a);
    advance(1000, {});
    const back = await c.collect(never);
    // 3: once while it ran, once to learn how it ended (404: removed, no exit document), once back
    expect(engine.count(`/containers/${A}/json`)).toBe(3);
    expect(back.skipped).toEqual({ first_reading: 1 }); // no stale previous reading across the gap
  });

  it('a container that exited since the last round gets one final document from the die/oom events: exit code, oom_killed, its identity', async () => {
    engine.containers.get(A)!.env = ['JOB_NAME=team/app', 'BUILD_NUMBER=7', 'MESOS_TASK_ID=mesos-task-1'];
    const c = make();
    await c.collect(never);
    // alpha is OOM-killed 400 ms after its reading; beta keeps running
    const oomNs = BigInt(clock.nowMs() + 400) * 1_000_000n;
    engine.exits.push({ id: A, action: 'oom', timeNano: oomNs.toString() }, { id: A, action: 'die', timeNano: (oomNs + 2_000_000n).toString(), exitCode: 137 });
    engine.containers.get(A)!.state = 'exited';
    advance(1000, {});
    const r = await c.collect(never);
    expect(r.errors).toEqual([]);
    const final = docs(r.samples).get(A)!;
    expect(final).toMatchObject({
      '@timestamp': '2026-11-22T03:00:00.402Z',
      event: { dataset: 'docker.container' },
      container: { id: A, name: 'alpha', exit_code: 137, oom_killed: true },
      jenkins: { job: { name: 'team/app' }, build: { number: 7 } },
      mesos: { task: { id: 'mesos-task-1' } },
    });
    expect(final.cpu).toBeUndefined();
    expect(final.memory).toBeUndefined();
    expect(engine.requests.some((q) => q.startsWith('/events?') && decodeURIComponent(q).includes('"die","oom"'))).toBe(true);
    // one final document only: the next round knows nothing of alpha
    advance(1000, {});
    expect(docs((await c.collect(never)).samples).has(A)).toBe(false);
  });

  it('a container that stopped between the list and its stats call gets its final document the round after', async () => {
    const c = make();
    await c.collect(never);
    const dieNs = BigInt(clock.nowMs() + 700) * 1_000_000n;
    engine.exits.push({ id: A, action: 'die', timeNano: dieNs.toString(), exitCode: 1 });
    engine.containers.get(A)!.statsBody = ''; // listed as running, then an empty answer: stopped meanwhile
    advance(1000, {});
    const during = await c.collect(never);
    expect(during.skipped).toEqual({ stopped_during_round: 1 });
    expect(docs(during.samples).has(A)).toBe(false);
    engine.containers.get(A)!.state = 'exited';
    advance(1000, {});
    const after = await c.collect(never);
    expect(docs(after.samples).get(A)?.container).toMatchObject({ exit_code: 1, oom_killed: false });
  });

  it('a plain exit (die, no oom) is oom_killed false; an exit the events miss comes from inspect; a removed one is counted exit_unknown', async () => {
    const C = 'c'.repeat(64);
    engine.add({ id: C, name: 'gamma', totalUsageNs: 0, read: '2026-11-22T03:00:00Z' });
    const c = make();
    await c.collect(never);
    const t = BigInt(clock.nowMs() + 100) * 1_000_000n;
    engine.exits.push({ id: A, action: 'die', timeNano: t.toString(), exitCode: 0 });
    // beta: no event (out of the daemon's 256), but it still exists: inspect tells
    Object.assign(engine.containers.get(B)!, { state: 'exited', exited: { exitCode: 137, oomKilled: true, finishedAt: '2026-11-22T03:00:00.5Z' } });
    engine.containers.get(A)!.state = 'exited';
    engine.containers.delete(C); // gamma: removed and no event
    advance(1000, {});
    const r = await c.collect(never);
    expect(r.errors).toEqual([]);
    const d = docs(r.samples);
    expect(d.get(A)!.container).toMatchObject({ exit_code: 0, oom_killed: false });
    expect(d.get(B)!.container).toMatchObject({ exit_code: 137, oom_killed: true });
    expect(d.get(B)!['@timestamp']).toBe('2026-11-22T03:00:00.500Z');
    expect(d.has(C)).toBe(false);
    expect(r.skipped).toEqual({ exit_unknown: 1 });
  });

  it('a container that vanishes between list and stats (404) is skipped; the others are unaffected', async () => {
    engine.containers.get(A)!.statsStatus = 404;
    const r = await make().collect(never);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual({ vanished: 1, first_reading: 1 });
    expect([...docs(r.samples).keys()]).toEqual([B]);
  });

  it('an empty stats body (container stopped between list and stats) is a counted skip, not an error', async () => {
    engine.containers.get(A)!.statsBody = '';
    const r = await make().collect(never);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual({ stopped_during_round: 1, first_reading: 1 });
    expect([...docs(r.samples).keys()]).toEqual([B]);
  });

  it('a garbled stats body is one RS_ERR_PARSE_SHAPE error for that container only', async () => {
    engine.containers.get(A)!.statsBody = '<html>bad gateway</html>';
    const r = await make().collect(never);
    expect(r.errors).toEqual([{ target: engine.url + '/', code: 'RS_ERR_PARSE_SHAPE', message: expect.stringContaining('not an object'), subject: A }]);
    expect([...docs(r.samples).keys()]).toEqual([B]);
  });

  it('a 500 on one stats call is one RS_ERR_DOCKER_API error', async () => {
    engine.containers.get(B)!.statsStatus = 500;
    const r = await make().collect(never);
    expect(r.errors).toMatchObject([{ code: 'RS_ERR_DOCKER_API', subject: B }]);
    expect([...docs(r.samples).keys()]).toEqual([A]);
  });

  it('a stats call slower than timeoutMs is an RS_ERR_HTTP_TIMEOUT error for that container', async () => {
    engine.containers.get(B)!.statsDelayMs = 3000;
    const r = await make({ timeoutMs: 200 }).collect(never);
    expect(r.errors).toMatchObject([{ code: 'RS_ERR_HTTP_TIMEOUT', subject: B, message: expect.stringContaining('200 ms') }]);
    expect([...docs(r.samples).keys()]).toEqual([A]);
  });

  it('an exited container (zeros, 0001-01-01) is skipped as not_running', async () => {
    engine.containers.get(B)!.statsBody = JSON.stringify({ id: B, read: '0001-01-01T00:00:00Z', cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} });
    const r = await make().collect(never);
    expect(r.skipped).toEqual({ not_running: 1, first_reading: 1 });
    expect(r.errors).toEqual([]);
  });

  it('never has more than `concurrency` stats calls in flight', async () => {
    for (let i = 0; i < 6; i++) engine.add({ id: String(i).repeat(12), name: `c${i}`, totalUsageNs: 0, read: '2026-11-22T03:00:00Z', statsDelayMs: 60 });
    const r = await make({ concurrency: 2 }).collect(never);
    expect(r.samples).toHaveLength(8);
    expect(engine.maxInFlightStats).toBe(2);
  });

  it('a restart under the same id (counter backwards) gives no figure, counts counter_reset and re-inspects', async () => {
    const c = make();
    await c.collect(never);
    advance(1000, {});
    engine.containers.get(A)!.totalUsageNs = 10_000_000; // restarted: counter starts again near 0
    const r = await c.collect(never);
    expect(r.skipped).toEqual({ counter_reset: 1 });
    expect(docs(r.samples).get(A)!.cpu?.cores).toBeUndefined();
    advance(1000, { [A]: 250_000_000 });
    const after = await c.collect(never);
    expect(docs(after.samples).get(A)!.cpu?.cores).toBe(0.25);
    expect(engine.count(`/containers/${A}/json`)).toBe(2);
  });

  it('a restart seen in the engine’s start events voids the pair even when the new counter is higher', async () => {
    const c = make();
    await c.collect(never); // alpha at 1.0 s of CPU
    advance(2000, {});
    // restarted 1 s ago and already burned 1.6 s (> the old 1.0 s): the counters alone would say 0.3 cores
    engine.containers.get(A)!.totalUsageNs = 1_600_000_000;
    const restartNs = BigInt(clock.nowMs() - 1000) * 1_000_000n;
    engine.starts.push({ id: A, timeNano: restartNs.toString() });
    const r = await c.collect(never);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual({ counter_reset: 1 });
    expect(docs(r.samples).get(A)!.cpu?.cores).toBeUndefined();
    expect(docs(r.samples).get(B)!.cpu?.cores).toBe(0);
    expect(engine.requests.some((q) => q.startsWith('/events?') && q.includes('one-shot') === false)).toBe(true);
    // a start before the previous reading does not void the next pair
    advance(1000, { [A]: 500_000_000 });
    expect(docs((await c.collect(never)).samples).get(A)!.cpu?.cores).toBe(0.5);
  });

  it('when /events fails, the round still measures (counters only) and reports one error', async () => {
    const c = make();
    await c.collect(never);
    engine.eventsStatus = 500;
    advance(1000, { [A]: 500_000_000 });
    const r = await c.collect(never);
    expect(r.errors).toMatchObject([{ code: 'RS_ERR_DOCKER_API', subject: 'events' }]);
    expect(docs(r.samples).get(A)!.cpu?.cores).toBe(0.5);
  });

  it('a dead daemon makes the round throw RS_ERR_DOCKER_API with the redacted endpoint; it resumes when the daemon returns', async () => {
    const c = make({ timeoutMs: 1000 });
    await c.collect(never);
    await engine.stop();
    advance(30_000, { [A]: 6_000_000_000 }); // the daemon is away for 30 s ...
    const err: unknown = await c.collect(never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RightsizeError);
    expect((err as RightsizeError).code).toBe('RS_ERR_DOCKER_API');
    expect((err as RightsizeError).meta.target).toBe(engine.url + '/');
    expect((err as RightsizeError).cause).toBeDefined();

    await engine.start(); // ... and comes back on the same port
    advance(30_000, { [A]: 9_000_000_000 });
    const r = await c.collect(never);
    expect(r.errors).toEqual([]);
    // (6 + 9) s of CPU over the 60 s since the last good reading → 0.25 cores on average
    expect(docs(r.samples).get(A)!.cpu).toMatchObject({ cores: 0.25, interval_ms: 60_000 });
  });

  it('a list that is not an array makes the round throw RS_ERR_PARSE_SHAPE', async () => {
    engine.listBody = '{"message":"page not found"}';
    await expect(make().collect(never)).rejects.toMatchObject({ code: 'RS_ERR_PARSE_SHAPE' });
  });

  it('an invalid Id in the list is an error and never becomes a request path', async () => {
    engine.listBody = JSON.stringify([{ Id: '../../../info', Names: ['/evil'], State: 'running' }, { Id: A, Names: ['/alpha'], State: 'running' }]);
    const r = await make().collect(never);
    expect(r.errors).toMatchObject([{ code: 'RS_ERR_PARSE_SHAPE', subject: '[0].Id' }]);
    expect(engine.requests.some((p) => p.includes('..'))).toBe(false);
    expect([...docs(r.samples).keys()]).toEqual([A]);
  });

  it('carries Mesos and Jenkins identity from the container environment', async () => {
    engine.containers.get(A)!.env = ['MESOS_TASK_ID=mesos-jenkins-0f1e2d3c-linux', 'NODE_NAME=mesos-jenkins-0f1e2d3c-linux', 'NODE_LABELS=linux', 'JOB_NAME=app', 'BUILD_NUMBER=7'];
    const r = await make().collect(never);
    const a = docs(r.samples).get(A)!;
    expect(a.mesos).toEqual({ task: { id: 'mesos-jenkins-0f1e2d3c-linux' } });
    expect(a.jenkins).toEqual({ node: { name: 'mesos-jenkins-0f1e2d3c-linux' }, label: 'linux', job: { name: 'app' }, build: { number: 7 } });
  });

  it('an aborted round returns what it has without throwing', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await make().collect(ac.signal);
    expect(r.samples).toEqual([]);
    expect(r.skipped).toEqual({ aborted: 1 });
  });

  it('shutdown is idempotent; collect afterwards is RS_ERR_LIFECYCLE_SHUTDOWN', async () => {
    const c = make();
    await c.shutdown();
    await c.shutdown();
    await expect(c.collect(never)).rejects.toMatchObject({ code: 'RS_ERR_LIFECYCLE_SHUTDOWN' });
  });

  it('credentials in the endpoint never reach target, errors or documents', async () => {
    const secretUrl = engine.url.replace('http://', 'http://bob:s3cret@');
    const c = collectorFromEndpoint(secretUrl, { clock });
    collector = c;
    expect(c.target).toBe(`docker ${engine.url.replace('http://', 'http://***@')}/`);
    const r = await c.collect(never);
    expect(JSON.stringify(r)).not.toContain('s3cret');
    await engine.stop();
    const err: unknown = await c.collect(never).catch((e: unknown) => e);
    expect(JSON.stringify({ m: (err as Error).message, meta: (err as RightsizeError).meta })).not.toContain('s3cret');
  });
});

describe('TLS (dockerd --tlsverify)', () => {
  const dir = join(import.meta.dirname, 'tls');
  const file = (name: string): string => join(dir, name);
  let engine: FakeEngine;

  beforeEach(async () => {
    engine = new FakeEngine({
      key: readFileSync(file('server-key.pem')),
      cert: readFileSync(file('server.pem')),
      ca: readFileSync(file('ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
    });
    engine.add({ id: A, name: 'alpha', totalUsageNs: 0, read: '2026-11-22T03:00:00Z' });
    await engine.start();
  });
  afterEach(() => engine.stop());

  it('tcp:// with docker.tls means https with the CA and the client certificate', async () => {
    const tcp = engine.url.replace('https://', 'tcp://');
    const c = collectorFromEndpoint(tcp, { tls: { caFile: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client-key.pem') } });
    const r = await c.collect(never);
    await c.shutdown();
    expect(r.errors).toEqual([]);
    expect(docs(r.samples).get(A)?.host).toEqual({ name: 'fake-host' });
  });

  it('without the client certificate the engine refuses: the round throws RS_ERR_DOCKER_API', async () => {
    const c = collectorFromEndpoint(engine.url, { tls: { caFile: file('ca.pem') }, timeoutMs: 2000 });
    await expect(c.collect(never)).rejects.toMatchObject({ code: 'RS_ERR_DOCKER_API' });
    await c.shutdown();
  });

  it('a server certificate from an unknown CA is rejected unless rejectUnauthorized is false', async () => {
    const strict = collectorFromEndpoint(engine.url, { tls: { certFile: file('client.pem'), keyFile: file('client-key.pem') }, timeoutMs: 2000 });
    await expect(strict.collect(never)).rejects.toMatchObject({ code: 'RS_ERR_DOCKER_API' });
    await strict.shutdown();
    const lax = collectorFromEndpoint(engine.url, { tls: { certFile: file('client.pem'), keyFile: file('client-key.pem'), rejectUnauthorized: false } });
    expect((await lax.collect(never)).samples).toHaveLength(1);
    await lax.shutdown();
  });
});
