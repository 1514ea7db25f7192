import { describe, expect, it } from 'vitest';
import { ClusterEngine } from '../../../../src/emulators/cluster/engine.js';
import { validateScenario } from '../../../../src/emulators/scenario/schema.js';
import { ManualClock } from '../../../../src/util/index.js';

const T0 = 1_750_000_000_000;

/** One 4-cpu agent; a single-use label asking 1.9 cpus per build; a job that never arrives on its own. */
function engine(quietPeriodSeconds = 0): { e: ClusterEngine; clock: ManualClock } {
  const clock = new ManualClock(T0);
  const scenario = validateScenario({
    seed: 3,
    mesos: { masters: 1, launchSeconds: 0 },
    jenkins: { quietPeriodSeconds },
    agents: [{ count: 1, cpus: 4, memMb: 8192 }],
    labels: [{ name: 'L', slaveCpus: 1.7, executorCpus: 0.2, slaveMem: 256, executorMem: 64, minExecutors: 1, maxExecutors: 1, singleUse: true }],
    jobs: [{ name: 'api-tests', label: 'L', ratePerHour: 0, firstBuildAfterSeconds: 1e9, duration: { kind: 'fixed', seconds: 600 }, cpu: { kind: 'constant', cores: 0.3 }, memMb: 50 }],
  });
  return { e: new ClusterEngine(scenario, clock), clock };
}

describe('ClusterEngine.queueBuilds ("Build Now")', () => {
  it('queues builds at the current time; they start when capacity allows and hold their agents’ allocation until they end', () => {
    const { e, clock } = engine();
    clock.advance(60_000);
    e.step();
    expect(e.queue).toHaveLength(0);
    expect(e.agents[0]!.used.cpus).toBe(0);

    e.queueBuilds('api-tests', 3);
    e.step();
    const builds = e.jobs.get('api-tests')!.builds;
    // Two 1.9-cpu agents fit on 4 cpus; the third build waits for capacity.
    expect(builds.map((b) => b.number)).toEqual([1, 2]);
    expect(builds.every((b) => b.inQueueSinceMs === T0 + 60_000)).toBe(true);
    expect(e.agents[0]!.used.cpus).toBe(3.8);
    expect(e.queue.map((i) => [i.job, i.state, i.inQueueSinceMs])).toEqual([['api-tests', 'buildable', T0 + 60_000]]);

    // Ending the running builds frees their single-use agents; the waiting one starts.
    for (const b of builds.slice()) e.finishBuild({ job: 'api-tests', number: b.number }, 'ABORTED');
    e.step();
    expect(e.jobs.get('api-tests')!.builds.filter((b) => b.building).map((b) => b.number)).toEqual([3]);
    expect(e.agents[0]!.used.cpus).toBe(1.9);
  });

  it('honours the quiet period, and refuses an unknown job or a bad count', () => {
    const { e, clock } = engine(5);
    e.queueBuilds('api-tests');
    expect(e.queue[0]).toMatchObject({ state: 'waiting', buildableStartMs: T0 + 5_000 });
    clock.advance(5_000);
    e.step();
    expect(e.jobs.get('api-tests')!.builds).toHaveLength(1);
    expect(() => e.queueBuilds('nope')).toThrow(/no job nope/);
    expect(() => e.queueBuilds('api-tests', 0)).toThrow(RangeError);
    expect(() => e.queueBuilds('api-tests', 1.5)).toThrow(RangeError);
  });
});
