import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesosAgentCollector, MesosMasterCollector } from '../../../src/collectors/mesos/index.js';
import { marathonTaskId, marathonTaskName } from '../../../src/emulators/cluster/engine.js';
import { startEmulatedCluster, type RunningEmulator } from '../../../src/emulators/index.js';
import { appWorkloadArgs, planApp, Prng, validateScenario } from '../../../src/emulators/scenario/index.js';
import type { ContainerDoc, Sample } from '../../../src/model/index.js';
import { ManualClock } from '../../../src/util/index.js';

const MiB = 1024 * 1024;
const scenario = validateScenario({
  seed: 5,
  mesos: { masters: 1, launchSeconds: 2 },
  agents: [{ count: 1, cpus: 4, memMb: 4096 }],
  labels: [{ name: 'L', slaveCpus: 0.5, executorCpus: 0.5, slaveMem: 100, executorMem: 100 }],
  // a job that never builds: only the app uses the agent
  jobs: [{ name: 'idle', label: 'L', ratePerHour: 0, firstBuildAfterSeconds: 1e9, duration: { kind: 'fixed', seconds: 10 }, cpu: { kind: 'constant', cores: 0.1 }, memMb: 10 }],
  marathonApps: [{ id: '/team/web', instances: 2, cpus: 1, memMb: 512, usage: { cpu: { kind: 'constant', cores: 0.25 }, memMb: 128, memRampSeconds: 10 } }],
});

let em: RunningEmulator;
let clock: ManualClock;
function advance(seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    em.tick();
  }
}
const containers = (samples: readonly Sample[]): ContainerDoc[] => samples.flatMap((s) => (s.kind === 'container' ? [s.doc] : []));

beforeAll(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 22, 3));
  em = await startEmulatedCluster(scenario, { clock, usage: 'model', idSeed: 1 });
  advance(60);
});
afterAll(async () => {
  await em.stop();
});

describe('Marathon task ids and names', () => {
  it('safe path + uuid; name = segments reversed', () => {
    expect(marathonTaskId('/team/web', '7d61432d-d6a6-11e6-a564-8605ecf0a9df')).toBe('team_web.7d61432d-d6a6-11e6-a564-8605ecf0a9df');
    expect(marathonTaskName('/team/web')).toBe('web.team');
    expect(marathonTaskName('/no-healthcheck')).toBe('no-healthcheck');
  });

  it('an app instance plays its profile forever in docker mode (last phase inf)', () => {
    const plan = planApp(scenario.marathonApps![0]!, new Prng(1), 544 * MiB, 3 * 3_600_000);
    expect(plan.phases).toHaveLength(3);
    expect(plan.peakMemBytes).toBe(128 * MiB);
    // 3 cycles of one constant phase, then 0.25 cores and 131,072 KiB until stopped
    expect(appWorkloadArgs(plan)).toEqual(['--phases', '0.25:131072k:3600000ms,0.25:131072k:3600000ms,0.25:131072k:3600000ms,0.25:131072k:inf', '--mem-ramp', '10000ms', '--quiet']);
  });

  it('a scenario without apps registers no marathon framework (the Jenkins side as before)', async () => {
    const plain = await startEmulatedCluster(validateScenario({ ...scenario, marathonApps: undefined }), { clock: new ManualClock(Date.UTC(2026, 10, 22, 3)), usage: 'model' });
    try {
      plain.tick();
      const state = (await (await fetch(`${plain.urls.masters[0]}/master/state`)).json()) as { frameworks: Array<{ name: string }> };
      expect(state.frameworks.map((f) => f.name)).toEqual(['Jenkins Scheduler']);
    } finally {
      await plain.stop();
    }
  });

  it('rejects an app id that is not a Marathon path, and an instance bigger than any agent', () => {
    const base = { agents: [{ count: 1, cpus: 2, memMb: 1024 }], labels: scenario.labels, jobs: scenario.jobs };
    const app = { id: '/ok', cpus: 1, memMb: 128, usage: { cpu: { kind: 'constant', cores: 0.1 }, memMb: 64 } };
    expect(() => validateScenario({ ...base, marathonApps: [{ ...app, id: 'Team/Web' }] })).toThrow(/marathonApps\/0\/id/);
    expect(() => validateScenario({ ...base, marathonApps: [{ ...app, cpus: 3 }] })).toThrow(/more than any agent offers/);
  });
});

describe('Marathon apps on the emulated cluster (model mode)', () => {
  it('/master/state lists them under a second framework named marathon, with Marathon task ids and their resources', async () => {
    const state = (await (await fetch(`${em.urls.masters[0]}/master/state`)).json()) as {
      frameworks: Array<{ name: string; tasks: Array<{ id: string; name: string; state: string; executor_id: string; resources: { cpus: number; mem: number } }> }>;
      slaves: Array<{ used_resources: { cpus: number; mem: number } }>;
    };
    expect(state.frameworks.map((f) => f.name)).toEqual(['Jenkins Scheduler', 'marathon']);
    expect(state.frameworks[0]!.tasks).toEqual([]);
    const tasks = state.frameworks[1]!.tasks;
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      expect(t.id).toMatch(/^team_web\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(t).toMatchObject({ name: 'web.team', state: 'TASK_RUNNING', executor_id: '', resources: { cpus: 1, mem: 512 } });
    }
    // the agent gave them 2 × 1 cpu and 2 × 512 MB (less room for Jenkins)
    expect(state.slaves[0]!.used_resources).toMatchObject({ cpus: 2, mem: 1024 });
  });

  it('the project\'s own collectors turn them into mesos.executor documents with marathon.app.id and request.*', async () => {
    const master = new MesosMasterCollector({ masters: em.urls.masters, timeoutMs: 5000, maxResponseBytes: 10_000_000, clock });
    const agents = new MesosAgentCollector({ agents: em.urls.agents, timeoutMs: 5000, maxResponseBytes: 10_000_000, clock, masterTasks: () => master.latestState()?.tasks });
    try {
      expect((await master.collect(new AbortController().signal)).errors).toEqual([]);
      const first = await agents.collect(new AbortController().signal);
      expect(first.errors).toEqual([]);
      advance(10);
      const second = await agents.collect(new AbortController().signal);
      const docs = containers(second.samples).filter((d) => d.marathon !== undefined);
      expect(docs).toHaveLength(2);
      for (const d of docs) {
        expect(d.event.dataset).toBe('mesos.executor');
        expect(d.marathon).toEqual({ app: { id: '/team/web' } });
        // cpus 1, mem 512 MB × 1,048,576
        expect(d.request).toEqual({ cpu_cores: 1, memory_bytes: 536_870_912 });
        expect(d.mesos!.task!.id).toMatch(/^team_web\./);
        // 0.25 cores over the last 10 s (CPU seconds kept to 0.01 s), 128 MiB resident after the 10 s ramp
        expect(d.cpu!.cores).toBeCloseTo(0.25, 2);
        expect(d.cpu!.limit_cores).toBeCloseTo(1.1, 9);
        expect(d.memory!.working_set_bytes).toBe(128 * MiB);
        expect(d.memory!.limit_bytes).toBe(544 * MiB);
      }
      expect(new Set(docs.map((d) => d.container.id)).size).toBe(2);
    } finally {
      await master.shutdown();
      await agents.shutdown();
    }
  });
});
