import { describe, expect, it } from 'vitest';
import { ASKING_RIGHTSIZE_WHY, ClusterEngine, waitingForExecutorWhy } from '../../../../src/emulators/cluster/engine.js';
import { taskRequest, validateScenario, type Scenario } from '../../../../src/emulators/scenario/schema.js';
import { ManualClock } from '../../../../src/util/index.js';

const T0 = 1_750_000_000_000;

/** Two labels, `big` (1.5 cpus) and `small` (0.5 cpus); job `a` asks rightsize, job `b` does not. */
function scenario(): Scenario {
  return validateScenario({
    seed: 3,
    mesos: { masters: 1, launchSeconds: 0 },
    jenkins: { quietPeriodSeconds: 2 },
    agents: [{ count: 1, cpus: 4, memMb: 8192 }],
    labels: [
      { name: 'big', slaveCpus: 1.4, executorCpus: 0.1, slaveMem: 1000, executorMem: 0, minExecutors: 1, maxExecutors: 1, singleUse: true },
      { name: 'small', slaveCpus: 0.4, executorCpus: 0.1, slaveMem: 500, executorMem: 0, minExecutors: 1, maxExecutors: 1, singleUse: true },
    ],
    jobs: [
      { name: 'a', label: 'big', askRightsize: true, ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 10 }, cpu: { kind: 'constant', cores: 0.2 }, memMb: 50 },
      { name: 'b', label: 'big', ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 10 }, cpu: { kind: 'constant', cores: 0.2 }, memMb: 50 },
    ],
  });
}

function step(e: ClusterEngine, clock: ManualClock, seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    e.step();
  }
}

describe('jobs that ask rightsize for their label (askRightsize)', () => {
  it('the scenario field defaults to false', () => {
    expect(scenario().jobs.map((j) => j.askRightsize)).toEqual([true, false]);
  });

  it('an asking job waits for the answer, then runs on the answered label, sized by that label', () => {
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(scenario(), clock, { askLabels: true });
    e.step();
    const wanted = e.drainEvents().filter((ev) => ev.kind === 'labelWanted');
    expect(wanted.map((ev) => ev.kind === 'labelWanted' && ev.item.job)).toEqual(['a']);
    const item = e.queue.find((i) => i.job === 'a')!;
    // Without an answer the item stays waiting, well past its quiet period.
    step(e, clock, 5);
    expect(item).toMatchObject({ state: 'waiting', labelPending: true, why: ASKING_RIGHTSIZE_WHY });
    expect(e.jobs.get('a')!.builds).toHaveLength(0);
    // b never asked: it runs on its own label after the quiet period.
    expect(e.jobs.get('b')!.builds.map((b) => b.label)).toEqual(['big']);
    expect(e.jobs.get('b')!.builds[0]!.rightsize).toBeUndefined();

    const applied = e.resolveLabel(item.id, { label: 'small', outcome: 'answered' });
    expect(applied).toEqual({ label: 'small', outcome: 'answered' });
    expect(e.resolveLabel(item.id, { label: 'big', outcome: 'answered' }), 'a second answer changes nothing').toBeUndefined();
    e.step();
    const build = e.jobs.get('a')!.builds[0]!;
    expect(build).toMatchObject({ label: 'small', rightsize: { label: 'small', outcome: 'answered' } });
    expect(build.builtOn).toMatch(/-small$/);
    const req = taskRequest(e.label('small')!, 1);
    expect(e.completedTasks.concat([...e.tasks.values()]).find((t) => t.id === build.builtOn)!.resources).toEqual(req);
    // The queue time includes the 5 s of waiting for the answer.
    expect(build.waitingMs + build.buildableMs).toBe(5_000);
  });

  it('a label the cluster does not have is not used: the job’s own label is, with reason unknown-label', () => {
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(scenario(), clock, { askLabels: true });
    e.step();
    const item = e.queue.find((i) => i.job === 'a')!;
    expect(e.resolveLabel(item.id, { label: 'gpu', outcome: 'answered' })).toEqual({ label: 'big', outcome: 'fallback', reason: 'unknown-label' });
    step(e, clock, 3);
    expect(e.jobs.get('a')!.builds[0]).toMatchObject({ label: 'big', rightsize: { outcome: 'fallback', reason: 'unknown-label' } });
  });

  it('a resolved item is buildable only after its quiet period, and waits for executors on its new label', () => {
    const clock = new ManualClock(T0);
    const s = scenario();
    // One agent with room for `big` (1.5 cpus, 1100 MB) but for one `small` (0.5 cpus, 660 MB) only: the second waits.
    const labels = [s.labels[0]!, { ...s.labels[1]!, slaveMem: 600 }];
    const e = new ClusterEngine(validateScenario({ ...s, labels, agents: [{ count: 1, cpus: 1.5, memMb: 1100 }], jobs: [s.jobs[0]!, { ...s.jobs[0]!, name: 'c' }] }), clock, { askLabels: true });
    e.step();
    for (const i of [...e.queue]) e.resolveLabel(i.id, { label: 'small', outcome: 'answered' });
    e.step();
    expect(e.queue.every((i) => i.state === 'waiting'), 'the 2 s quiet period still runs').toBe(true);
    step(e, clock, 2);
    const waiting = e.queue.filter((i) => i.state === 'buildable');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.why).toBe(waitingForExecutorWhy('small'));
  });

  it('without an asker (askLabels false) asking jobs run on their own label at once', () => {
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(scenario(), clock);
    step(e, clock, 3);
    expect(e.drainEvents().some((ev) => ev.kind === 'labelWanted')).toBe(false);
    expect(e.jobs.get('a')!.builds.map((b) => [b.label, b.rightsize])).toEqual([['big', undefined]]);
  });
});
