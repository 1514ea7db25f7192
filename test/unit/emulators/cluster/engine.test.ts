import { describe, expect, it } from 'vitest';
import { ClusterEngine, buildNodeName, waitingForExecutorWhy } from '../../../../src/emulators/cluster/engine.js';
import { validateScenario, taskRequest, type Scenario } from '../../../../src/emulators/scenario/schema.js';
import { loadScenarioFile, resolveScenarioPath } from '../../../../src/emulators/index.js';
import { ManualClock } from '../../../../src/util/index.js';

const T0 = 1_750_000_000_000;

function scenario(over: { agentCpus?: number; label?: Record<string, unknown>; jobs?: Array<Record<string, unknown>>; masters?: number } = {}): Scenario {
  return validateScenario({
    seed: 7,
    mesos: { masters: over.masters ?? 1, launchSeconds: 0 },
    agents: [{ count: 1, cpus: over.agentCpus ?? 1, memMb: 2048 }],
    labels: [{ name: 'L', slaveCpus: 0.5, executorCpus: 0.5, slaveMem: 100, executorMem: 100, minExecutors: 1, maxExecutors: 1, singleUse: true, ...(over.label ?? {}) }],
    jobs: over.jobs ?? [
      { name: 'a', label: 'L', ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 10 }, cpu: { kind: 'constant', cores: 0.5 }, memMb: 50 },
      { name: 'b', label: 'L', ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 10 }, cpu: { kind: 'constant', cores: 0.5 }, memMb: 50 },
    ],
  });
}

function run(e: ClusterEngine, clock: ManualClock, seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    e.step();
  }
}

describe('mesos-plugin request arithmetic', () => {
  it('cpus = slaveCpus + n·executorCpus, mem = 1.1 × (slaveMem + n·executorMem)', () => {
    expect(taskRequest({ slaveCpus: 0.1, slaveMem: 512, executorCpus: 0.1, executorMem: 128, diskNeeded: 0 }, 2)).toEqual({ cpus: 0.3, memMb: 844.8, diskMb: 0 });
    expect(taskRequest({ slaveCpus: 1.8, slaveMem: 1536, executorCpus: 0.2, executorMem: 326, diskNeeded: 10 }, 1)).toEqual({ cpus: 2, memMb: 2048.2, diskMb: 10 });
  });

  it('sizes a new agent with max(min, min(excess, max)) executors', () => {
    const jobs = [1, 2, 3].map((i) => ({ name: `j${i}`, label: 'L', ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 10 }, cpu: { kind: 'constant', cores: 0.1 }, memMb: 10 }));
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(scenario({ agentCpus: 8, label: { slaveCpus: 0.1, executorCpus: 0.1, slaveMem: 512, executorMem: 128, minExecutors: 2, maxExecutors: 4, singleUse: false }, jobs }), clock);
    e.step();
    const tasks = [...e.tasks.values()];
    expect(tasks).toHaveLength(1);
    // 3 waiting items → n = max(2, min(3, 4)) = 3 → 0.1 + 3·0.1 cpus, 1.1 × (512 + 3·128) MB.
    expect(tasks[0]!.numExecutors).toBe(3);
    expect(tasks[0]!.resources).toEqual({ cpus: 0.4, memMb: 985.6, diskMb: 0 });
    expect(e.agents[0]!.used).toEqual({ cpus: 0.4, memMb: 985.6, diskMb: 0 });
    // All three builds run on that one agent.
    expect([...e.jobs.values()].map((j) => j.builds[0]?.builtOn)).toEqual([tasks[0]!.id, tasks[0]!.id, tasks[0]!.id]);
  });
});

describe('node naming', () => {
  it('mesos-jenkins-<32 hex>-<label>, cut to 63 chars, equals the Mesos task id; task name is "task <id>"', () => {
    expect(buildNodeName('0123456789abcdef0123456789abcdef', 'linux')).toBe('mesos-jenkins-0123456789abcdef0123456789abcdef-linux');
    const long = 'a'.repeat(40);
    expect(buildNodeName('0123456789abcdef0123456789abcdef', long)).toBe(`mesos-jenkins-0123456789abcdef0123456789abcdef-${'a'.repeat(16)}`);
    expect(buildNodeName('0123456789abcdef0123456789abcdef', long)).toHaveLength(63);
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(scenario({ agentCpus: 2 }), clock);
    e.step();
    const task = [...e.tasks.values()][0]!;
    expect(task.id).toMatch(/^mesos-jenkins-[0-9a-f]{32}-L$/);
    expect(task.name).toBe(`task ${task.id}`);
    expect(e.nodes.get(task.id)?.taskId).toBe(task.id);
    expect(e.jobs.get('a')!.builds[0]!.builtOn).toBe(task.id);
  });
});

describe('capacity decides queue waits', () => {
  it('a build waits while no agent has room, with the Jenkins why text, and starts when room frees', () => {
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(scenario({ agentCpus: 1 }), clock);
    e.step();
    // One 1-cpu task fits on the 1-cpu agent; the second item waits.
    expect(e.tasks.size).toBe(1);
    expect(e.jobs.get('a')!.builds).toHaveLength(1);
    expect(e.queue).toHaveLength(1);
    expect(e.queue[0]!.job).toBe('b');
    expect(e.queue[0]!.why).toBe('Waiting for next available executor on \u2018L\u2019');
    expect(waitingForExecutorWhy('L')).toBe(e.queue[0]!.why);
    run(e, clock, 9);
    expect(e.queue).toHaveLength(1);
    run(e, clock, 1); // T0 + 10 s: a#1 ends, its single-use agent goes, b gets the room.
    const a1 = e.build('a', 1)!;
    expect(a1.result).toBe('SUCCESS');
    expect(a1.endMs! - a1.startMs).toBe(10_000);
    const b1 = e.build('b', 1)!;
    expect(b1.startMs).toBe(T0 + 10_000);
    expect(b1.buildableMs).toBe(10_000);
    expect(b1.inQueueSinceMs).toBe(T0);
    expect(e.queue).toHaveLength(0);
  });

  it('no wait when the agents have room', () => {
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(scenario({ agentCpus: 2 }), clock);
    e.step();
    expect(e.build('a', 1)!.buildableMs).toBe(0);
    expect(e.build('b', 1)!.buildableMs).toBe(0);
    expect(e.agents[0]!.used.cpus).toBe(2);
  });

  it('tasks go STAGING → RUNNING after launchSeconds, → FINISHED when a single-use build ends (epoch-second timestamps)', () => {
    const clock = new ManualClock(T0);
    const s = validateScenario({ ...structuredClone(scenario({ agentCpus: 2 })), mesos: { masters: 1, launchSeconds: 3 } });
    const e = new ClusterEngine(s, clock);
    e.step();
    const task = [...e.tasks.values()][0]!;
    expect(task.state).toBe('TASK_STAGING');
    expect(e.queue.every((i) => i.state === 'buildable')).toBe(true);
    run(e, clock, 3);
    expect(task.state).toBe('TASK_RUNNING');
    run(e, clock, 10);
    expect(task.state).toBe('TASK_FINISHED');
    expect(task.statuses.map((s2) => [s2.state, s2.timestamp])).toEqual([
      ['TASK_STAGING', T0 / 1000],
      ['TASK_RUNNING', T0 / 1000 + 3],
      ['TASK_FINISHED', T0 / 1000 + 13],
    ]);
    expect(e.build('a', 1)!.buildableMs).toBe(3000);
    expect(e.agents[0]!.used.cpus).toBe(0);
  });
});

describe('provisioning order', () => {
  it('the label whose item waited longest gets the freed room first', () => {
    const clock = new ManualClock(T0);
    const job = (name: string, label: string, first: number) => ({ name, label, ratePerHour: 0, firstBuildAfterSeconds: first, duration: { kind: 'fixed', seconds: 10 }, cpu: { kind: 'constant', cores: 0.1 }, memMb: 10 });
    const s = validateScenario({
      seed: 1,
      mesos: { masters: 1, launchSeconds: 0 },
      agents: [{ count: 1, cpus: 1, memMb: 2048 }],
      labels: [
        { name: 'A', slaveCpus: 0.5, executorCpus: 0.5, slaveMem: 100, executorMem: 100, maxExecutors: 1, singleUse: true },
        { name: 'B', slaveCpus: 0.5, executorCpus: 0.5, slaveMem: 100, executorMem: 100, maxExecutors: 1, singleUse: true },
      ],
      jobs: [job('x', 'A', 0), job('y', 'B', 1), job('z', 'A', 2)],
    });
    const e = new ClusterEngine(s, clock);
    e.step();
    run(e, clock, 10); // x ends at T0+10 s; y (B, waiting since T0+1 s) is older than z (A, since T0+2 s)
    expect(e.build('y', 1)?.startMs).toBe(T0 + 10_000);
    expect(e.build('z', 1)).toBeUndefined();
    run(e, clock, 10);
    expect(e.build('z', 1)?.startMs).toBe(T0 + 20_000);
  });
});

describe('idle termination', () => {
  it('a reusable agent is killed after idleTerminationMinutes without builds', () => {
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(scenario({ agentCpus: 2, label: { singleUse: false, idleTerminationMinutes: 1, maxExecutors: 1 } }), clock);
    e.step();
    expect(e.tasks.size).toBe(2);
    run(e, clock, 10); // builds end at T0+10 s; agents idle from then
    expect(e.tasks.size).toBe(2);
    run(e, clock, 59);
    expect(e.tasks.size).toBe(2);
    run(e, clock, 1); // T0 + 70 s
    expect(e.tasks.size).toBe(0);
    expect(e.completedTasks.map((t) => t.state)).toEqual(['TASK_KILLED', 'TASK_KILLED']);
    expect(e.completedTasks[0]!.statuses.at(-1)!.timestamp).toBe(T0 / 1000 + 70);
  });
});

describe('OOM-prone jobs in the model', () => {
  it('a build planned beyond its limit is killed when memory reaches the limit and fails', () => {
    const clock = new ManualClock(T0);
    const jobs = [{ name: 'hog', label: 'L', ratePerHour: 0, firstBuildAfterSeconds: 0, duration: { kind: 'fixed', seconds: 30 }, cpu: { kind: 'constant', cores: 0.1 }, memMb: 50, memRampSeconds: 10, oomProne: 1 }];
    const e = new ClusterEngine(scenario({ agentCpus: 2, jobs }), clock);
    e.step();
    const b = e.build('hog', 1)!;
    // limit = (220 + 32) MB; planned peak = 1.25 × limit, ramped over 10 s → reaches the limit at 8 s.
    expect(b.memLimitBytes).toBe(252 * 1024 * 1024);
    expect(b.plan.peakMemBytes).toBe(Math.round(252 * 1024 * 1024 * 1.25));
    run(e, clock, 8);
    expect(b.result).toBe('FAILURE');
    expect(b.oomKilled).toBe(true);
    expect(b.endMs! - b.startMs).toBe(8000);
    expect(e.completedTasks[0]!.state).toBe('TASK_FAILED');
  });
});

describe('failover', () => {
  it('the new leader counts from its election; the old one restarts as a standby', () => {
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(scenario({ agentCpus: 2, masters: 3 }), clock);
    e.step();
    run(e, clock, 10);
    expect(e.masterCounters(0).tasks_finished).toBe(2);
    expect(e.failover()).toBe(1);
    expect(e.leader).toBe(1);
    expect(e.masterCounters(1).tasks_finished).toBe(0);
    expect(e.masters[1]!.electedMs).toBe(T0 + 10_000);
    expect(e.masters[0]!.electedMs).toBeNull();
    expect(e.masters[0]!.startMs).toBe(T0 + 10_000);
    expect(e.failover(0)).toBe(0);
    expect(() => e.failover(5)).toThrow(RangeError);
  });
});

describe('seeded reproducibility', () => {
  const demo = loadScenarioFile(resolveScenarioPath('demo'));
  function trace(seed: number | undefined): string {
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(demo, clock, seed === undefined ? {} : { seed });
    run(e, clock, 900);
    return JSON.stringify([...e.jobs.values()].map((j) => j.builds.map((b) => [b.number, b.builtOn, b.startMs, b.endMs, b.result, b.plan.durationMs])));
  }

  it('the same seed replays the same builds; another seed does not', () => {
    const one = trace(undefined);
    expect(trace(undefined)).toBe(one);
    expect(trace(12345)).not.toBe(one);
    expect(JSON.parse(one).flat().length).toBeGreaterThan(20);
  });

  it('the demo has first builds within 30 s, an OOM failure, and queue waits on a full cluster', () => {
    const clock = new ManualClock(T0);
    const e = new ClusterEngine(demo, clock);
    run(e, clock, 900);
    const builds = [...e.jobs.values()].flatMap((j) => j.builds);
    expect(Math.min(...builds.map((b) => b.startMs)) - T0).toBeLessThanOrEqual(30_000);
    expect(builds.some((b) => b.job === 'memory-hog' && b.oomKilled)).toBe(true);
    expect(Math.max(...builds.filter((b) => b.job === 'nightly-perf').map((b) => b.buildableMs))).toBeGreaterThan(30_000);
    expect(builds.filter((b) => !b.building).every((b) => (b.endMs! - b.startMs) <= 120_000)).toBe(true);
  });
});
