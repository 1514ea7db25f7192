import { afterEach, describe, expect, it } from 'vitest';
import { JenkinsCollector, type FinishedBuild } from '../../src/collectors/jenkins/index.js';
import type { BuildDoc, Sample } from '../../src/model/index.js';
import { routeSample } from '../../src/store/index.js';
import { ManualClock } from '../../src/util/index.js';
import { fakeServer, json, type FakeServer } from '../unit/collectors/http/fakeServer.js';

/**
 * Issue 14 item 9: `jenkins.url` in documents was the redacted base (`http://***@host/`) and is
 * part of the build `_id`, so moving the Jenkins token from the URL to the environment
 * duplicated 127 of 131 builds. Identity must not depend on how credentials are supplied: the
 * userinfo is stripped before the URL enters any document or `_id`.
 */
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const T0 = Date.parse('2026-11-22T03:00:00Z');
const AUTH = 'Basic ' + Buffer.from('ci-bot:api-token-123').toString('base64');

async function fakeJenkins(): Promise<FakeServer> {
  const s = await fakeServer();
  servers.push(s);
  const guarded = (body: () => unknown) => (req: Parameters<ReturnType<typeof json>>[0], res: Parameters<ReturnType<typeof json>>[1]) => {
    if (req.headers.authorization !== AUTH) {
      res.writeHead(401);
      res.end();
      return;
    }
    json(body)(req, res);
  };
  s.routes.set('/queue/api/json', guarded(() => ({ items: [] })));
  s.routes.set('/computer/api/json', guarded(() => ({ busyExecutors: 0, totalExecutors: 1, computer: [] })));
  s.routes.set('/api/json', guarded(() => ({ jobs: [{ name: 'app', lastCompletedBuild: { number: 7 }, lastBuild: { number: 7 } }] })));
  s.routes.set(
    '/job/app/api/json',
    guarded(() => ({ builds: [{ number: 7, url: `${s.url}/job/app/7/`, timestamp: T0 - 120_000, duration: 60_000, result: 'SUCCESS', building: false }] })),
  );
  return s;
}

function buildSample(b: FinishedBuild): Sample {
  const doc: BuildDoc = {
    '@timestamp': new Date(b.endMs).toISOString(),
    jenkins: { ...(b.jenkinsUrl !== undefined ? { url: b.jenkinsUrl } : {}), job: { name: b.jobName }, build: { number: b.number } },
    build: { start: b.startMs, end: b.endMs, duration_ms: b.endMs - b.startMs },
  };
  return { kind: 'build', doc };
}

async function pollOnce(c: JenkinsCollector) {
  const poll = await c.poll(AbortSignal.timeout(5000));
  await c.shutdown();
  return poll;
}

describe('regression: build and queue ids do not depend on where the Jenkins token comes from', () => {
  it('token in the URL and token from the environment give the same jenkins.url and the same _ids', async () => {
    const s = await fakeJenkins();
    const host = s.url.replace('http://', '');
    const common = { timeoutMs: 2000, maxResponseBytes: 1_000_000, clock: new ManualClock(T0) };
    const inUrl = await pollOnce(new JenkinsCollector({ ...common, url: `http://ci-bot:api-token-123@${host}/` }));
    const fromEnv = await pollOnce(new JenkinsCollector({ ...common, url: `${s.url}/`, auth: { username: 'ci-bot', password: 'api-token-123' } }));

    expect(inUrl.result.errors).toEqual([]);
    expect(inUrl.finishedBuilds).toHaveLength(1);
    expect(inUrl.finishedBuilds[0]!.jenkinsUrl).toBe(`${s.url}/`);
    expect(fromEnv.finishedBuilds[0]!.jenkinsUrl).toBe(`${s.url}/`);

    const ids = (p: typeof inUrl) => [...p.finishedBuilds.map(buildSample), ...p.result.samples].map((x) => routeSample(x, 'rightsize'));
    expect(ids(inUrl)).toEqual(ids(fromEnv));
    expect(inUrl.result.samples.length).toBeGreaterThan(0);
    for (const x of inUrl.result.samples) expect(JSON.stringify(x.doc)).not.toContain('***@');
    // The target (logs, metrics) still tells credentials were in the URL, without showing them.
    expect(JSON.stringify(inUrl)).not.toContain('api-token-123');
  });
});
