import { afterEach, describe, expect, it } from 'vitest';
import { ASK_STATUS_PATH, startEmulatedCluster, validateScenario, type LabelAsker, type LabelChoice, type RunningEmulator } from '../../../../src/emulators/index.js';
import { ManualClock } from '../../../../src/util/index.js';
import { pollUntil } from '../../../support/poll.js';

const T0 = 1_750_000_000_000;
const scenario = validateScenario({
  seed: 4,
  mesos: { masters: 1, launchSeconds: 0 },
  agents: [{ count: 1, cpus: 4, memMb: 8192 }],
  labels: [
    { name: 'big', slaveCpus: 1.4, executorCpus: 0.1, slaveMem: 1000, executorMem: 0, minExecutors: 1, maxExecutors: 1, singleUse: true },
    { name: 'small', slaveCpus: 0.4, executorCpus: 0.1, slaveMem: 500, executorMem: 0, minExecutors: 1, maxExecutors: 1, singleUse: true },
  ],
  jobs: [
    { name: 'team/asks', label: 'big', askRightsize: true, ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 5 }, cpu: { kind: 'constant', cores: 0.2 }, memMb: 50 },
    { name: 'plain', label: 'big', ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 5 }, cpu: { kind: 'constant', cores: 0.2 }, memMb: 50 },
  ],
});

let em: RunningEmulator | undefined;
afterEach(async () => {
  await em?.stop();
  em = undefined;
});

async function jenkins(path: string): Promise<Record<string, unknown>> {
  const { url, user, token } = em!.urls.jenkins;
  const res = await fetch(url + path, { headers: { authorization: 'Basic ' + Buffer.from(`${user}:${token}`).toString('base64') } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('the emulated Jenkins asking rightsize for labels', () => {
  it('queues the build on the answered label, says so in the build JSON and counts it', async () => {
    const clock = new ManualClock(T0);
    const asked: string[] = [];
    const answer: { resolve?: (c: LabelChoice) => void } = {};
    const asker: LabelAsker = (job, fallback) => {
      asked.push(`${job}→${fallback}`);
      return new Promise((resolve) => (answer.resolve = resolve));
    };
    em = await startEmulatedCluster(scenario, { clock, usage: 'model', labelAsker: asker });
    expect(asked).toEqual(['team/asks→big']);
    expect(em.cluster.askStats()).toMatchObject({ asked: 1, answered: 0, pending: 1 });
    const queue = (await jenkins('queue/api/json')).items as Array<{ why: string; task: { name: string } }>;
    expect(queue.find((i) => i.task.name === 'asks')!.why).toMatch(/rightsize/);

    answer.resolve!({ label: 'small', outcome: 'answered' });
    await pollUntil('the answer to be applied', 5_000, () => {
      em!.tick();
      return Promise.resolve(em!.cluster.askStats().pending === 0 ? true : undefined);
    }, 10);
    clock.advance(1000);
    em.tick();
    const build = await jenkins('job/team/job/asks/1/api/json');
    expect(build['description']).toBe('rightsize: label small (answered)');
    expect(build['builtOn']).toMatch(/-small$/);
    expect((await jenkins('job/plain/1/api/json'))['description']).toBeNull();
    const status = await jenkins(ASK_STATUS_PATH);
    expect(status).toEqual({ asked: 1, answered: 1, fallback: {}, pending: 0, jobs: { 'team/asks': { asked: 1, answered: 1, fallback: {}, pending: 0, lastLabel: 'small' } } });
  });

  it('a failed question runs the build on the job’s own label, with the reason in the description and the counts', async () => {
    const clock = new ManualClock(T0);
    em = await startEmulatedCluster(scenario, { clock, usage: 'model', askRightsize: { url: 'http://127.0.0.1:1', timeoutMs: 1_000 } });
    expect(em.urls.askRightsize).toEqual({ url: 'http://127.0.0.1:1', status: `${em.urls.jenkins.url}${ASK_STATUS_PATH}` });
    await pollUntil('the fallback', 5_000, () => {
      em!.tick();
      return Promise.resolve(em!.cluster.askStats().pending === 0 ? true : undefined);
    }, 10);
    clock.advance(1000);
    em.tick();
    expect(em.cluster.askStats()).toMatchObject({ asked: 1, answered: 0, fallback: { unreachable: 1 }, pending: 0 });
    const build = await jenkins('job/team/job/asks/1/api/json');
    expect(build['description']).toBe('rightsize: fallback label big (unreachable)');
    expect(build['builtOn']).toMatch(/-big$/);
  });
});
