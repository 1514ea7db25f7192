import { describe, expect, it } from 'vitest';
import { EmulatedCluster } from '../../../src/emulators/cluster/EmulatedCluster.js';
import { ModelRuntime } from '../../../src/emulators/runtime/ModelRuntime.js';
import type { BuildLaunch, ContainerUsage, Runtime } from '../../../src/emulators/runtime/types.js';
import { validateScenario } from '../../../src/emulators/scenario/schema.js';
import { renderAgentStatistics } from '../../../src/emulators/mesos/render.js';
import { ManualClock, silentLogger } from '../../../src/util/index.js';
import type { BuildKey } from '../../../src/emulators/cluster/types.js';

const T0 = 1_763_000_000_000;
const MIB = 1024 * 1024;

function scenario(singleUse: boolean, jobs: number) {
  return validateScenario({
    seed: 3,
    mesos: { masters: 1, launchSeconds: 0 },
    agents: [{ count: 1, cpus: 2, memMb: 4096 }],
    labels: [{ name: 'L', slaveCpus: 0.5, executorCpus: 0.5, slaveMem: 200, executorMem: 56, minExecutors: 1, maxExecutors: 1, singleUse, idleTerminationMinutes: 10 }],
    jobs: Array.from({ length: jobs }, (_, i) => ({
      name: `j${i}`,
      label: 'L',
      ratePerHour: 0,
      firstBuildAfterSeconds: i * 10,
      duration: { kind: 'fixed', seconds: 10 },
      cpu: { kind: 'constant', cores: 0.5 },
      memMb: 100,
      memRampSeconds: 4,
    })),
  });
}

function advance(c: EmulatedCluster, clock: ManualClock, seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    c.tick();
  }
}

describe('executor usage in model mode', () => {
  it('follows the profile: 0.5 cores → 0.45 user + 0.05 system CPU-s per second, memory ramps to its peak', () => {
    const clock = new ManualClock(T0);
    const c = new EmulatedCluster({ scenario: scenario(true, 1), clock, runtime: new ModelRuntime(clock), logger: silentLogger() });
    c.tick();
    advance(c, clock, 2);
    let [entry] = renderAgentStatistics(c, 0) as Array<{ executor_id: string; statistics: Record<string, number> }>;
    expect(entry!.statistics).toMatchObject({ cpus_user_time_secs: 0.9, cpus_system_time_secs: 0.1, mem_rss_bytes: 50 * MIB, cpus_limit: 1.1, timestamp: T0 / 1000 + 2 });
    advance(c, clock, 6);
    [entry] = renderAgentStatistics(c, 0) as Array<{ executor_id: string; statistics: Record<string, number> }>;
    expect(entry!.statistics).toMatchObject({ cpus_user_time_secs: 3.6, cpus_system_time_secs: 0.4, mem_rss_bytes: 100 * MIB });
    advance(c, clock, 2); // build ends; the single-use agent goes, and with it its statistics entry
    expect(renderAgentStatistics(c, 0)).toEqual([]);
  });

  it('stays monotonic across the builds a reusable agent runs', () => {
    const clock = new ManualClock(T0);
    const c = new EmulatedCluster({ scenario: scenario(false, 2), clock, runtime: new ModelRuntime(clock), logger: silentLogger() });
    c.tick();
    advance(c, clock, 14); // j0#1 ran 0–10 s (5 CPU-s); j1#1 on the same agent since 10 s (2 CPU-s)
    const stats = renderAgentStatistics(c, 0) as Array<{ executor_id: string; statistics: Record<string, number> }>;
    expect(stats).toHaveLength(1);
    expect(c.engine.build('j1', 1)!.builtOn).toBe(c.engine.build('j0', 1)!.builtOn);
    expect(stats[0]!.statistics['cpus_user_time_secs']! + stats[0]!.statistics['cpus_system_time_secs']!).toBeCloseTo(7, 6);
  });
});

/** A runtime double that behaves like Docker: builds end only when the test says their container exited. */
class ScriptedRuntime implements Runtime {
  readonly mode = 'docker' as const;
  readonly launched: BuildLaunch[] = [];
  readonly samples = new Map<string, ContainerUsage>();
  launch(spec: BuildLaunch): void {
    this.launched.push(spec);
  }
  usage(key: BuildKey): ContainerUsage | undefined {
    return this.samples.get(`${key.job}#${key.number}`);
  }
  release(key: BuildKey): void {
    this.samples.delete(`${key.job}#${key.number}`);
  }
  liveContainers(): string[] {
    return this.launched.map((l) => l.containerName);
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('docker-mode wiring', () => {
  it('launches one container per build with Mesos/Jenkins identity and ends builds on container exit', () => {
    const clock = new ManualClock(T0);
    const runtime = new ScriptedRuntime();
    const c = new EmulatedCluster({ scenario: scenario(true, 1), clock, runtime, logger: silentLogger(), jenkinsUrl: 'http://jenkins.test/' });
    c.tick();
    expect(runtime.launched).toHaveLength(1);
    const l = runtime.launched[0]!;
    const build = c.engine.build('j0', 1)!;
    expect(l.containerName).toBe(`mesos-${build.containerId}`);
    expect(l.env).toMatchObject({ MESOS_TASK_ID: build.builtOn, NODE_NAME: build.builtOn, JOB_NAME: 'j0', BUILD_NUMBER: '1', BUILD_URL: 'http://jenkins.test/job/j0/1/', MESOS_CONTAINER_NAME: l.containerName });
    expect(l.cpuLimit).toBe(1.1);
    expect(l.memLimitBytes).toBe(Math.round((281.6 + 32) * MIB));
    expect(l.args.slice(0, 2)).toEqual(['--phases', '0.5:102400k:10000ms']);
    advance(c, clock, 30); // past the planned end: still running until the container exits
    expect(build.building).toBe(true);
    runtime.samples.set('j0#1', { timestampSec: clock.nowMs() / 1000, cpuUserSecs: 9, cpuSystemSecs: 1, rssBytes: 1, nrPeriods: 0, nrThrottled: 0, throttledSecs: 0 });
    c.reportExit({ job: 'j0', number: 1 }, 137, true);
    c.tick();
    expect(build).toMatchObject({ building: false, result: 'FAILURE', oomKilled: true });
    expect(c.engine.completedTasks.at(-1)!.state).toBe('TASK_FAILED');
  });
});
