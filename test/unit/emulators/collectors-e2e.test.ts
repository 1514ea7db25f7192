import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesosAgentCollector } from '../../../src/collectors/mesos/MesosAgentCollector.js';
import { MesosMasterCollector } from '../../../src/collectors/mesos/MesosMasterCollector.js';
import { JenkinsCollector } from '../../../src/collectors/jenkins/JenkinsCollector.js';
import { loadScenarioFile, resolveScenarioPath, startEmulatedCluster, type RunningEmulator } from '../../../src/emulators/index.js';
import { ManualClock } from '../../../src/util/index.js';
import type { Sample } from '../../../src/model/index.js';

/**
 * The project's own collectors against the emulator (model mode, one manual clock for both):
 * whatever they read from a real cluster they must read from the emulated one without errors.
 */

let em: RunningEmulator;
let clock: ManualClock;

function advance(seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    em.tick();
  }
}

const of = <K extends Sample['kind']>(samples: readonly Sample[], kind: K) => samples.filter((s): s is Extract<Sample, { kind: K }> => s.kind === kind);

beforeAll(async () => {
  clock = new ManualClock(Date.now() - 3_600_000);
  em = await startEmulatedCluster(loadScenarioFile(resolveScenarioPath('demo')), { clock, usage: 'model' });
  advance(300);
});

afterAll(async () => {
  await em.stop();
});

describe('collectors on the emulated cluster', () => {
  it('the master collector finds the leader, before and after a failover', async () => {
    const c = new MesosMasterCollector({ masters: em.urls.masters, timeoutMs: 5000, maxResponseBytes: 10_000_000, clock });
    try {
      const r1 = await c.collect(new AbortController().signal);
      expect(r1.errors).toEqual([]);
      const cluster1 = of(r1.samples, 'cluster');
      expect(cluster1).toHaveLength(1);
      expect(of(r1.samples, 'agent')).toHaveLength(3);
      em.failover();
      advance(1);
      const r2 = await c.collect(new AbortController().signal);
      expect(r2.errors).toEqual([]);
      const doc = of(r2.samples, 'cluster')[0]!.doc as unknown as { mesos?: { master?: { url?: string } } };
      expect(JSON.stringify(doc)).toContain(em.urls.masters[1]!.replace('http://', ''));
    } finally {
      await c.shutdown();
    }
  });

  it('the agent collector joins executors to their tasks and containers', async () => {
    const c = new MesosAgentCollector({ agents: em.urls.agents, timeoutMs: 5000, maxResponseBytes: 10_000_000, clock });
    try {
      await c.collect(new AbortController().signal); // first readings only set the baseline
      advance(5);
      const r = await c.collect(new AbortController().signal);
      expect(r.errors).toEqual([]);
      const docs = of(r.samples, 'container').map((s) => s.doc);
      expect(docs.length).toBeGreaterThan(0);
      const tasks = em.cluster.engine.tasks;
      for (const d of docs) {
        expect(d.mesos?.task?.id && tasks.has(d.mesos.task.id)).toBe(true);
        expect(d.mesos?.container?.id).toMatch(/^[0-9a-f-]{36}$/);
      }
    } finally {
      await c.shutdown();
    }
  });

  it('the Jenkins collector reads queue, running builds and finished builds with their queue times', async () => {
    const c = new JenkinsCollector({ url: em.urls.jenkins.url, auth: { username: em.urls.jenkins.user, password: em.urls.jenkins.token }, timeoutMs: 5000, maxResponseBytes: 10_000_000, clock });
    try {
      const p1 = await c.poll(new AbortController().signal);
      expect(p1.result.errors).toEqual([]);
      expect(of(p1.result.samples, 'queue').length).toBeGreaterThan(0);
      const running = [...em.cluster.engine.jobs.values()].flatMap((j) => j.builds.filter((b) => b.building));
      expect(p1.running.length).toBe(running.length);
      advance(120);
      const p2 = await c.poll(new AbortController().signal);
      expect(p2.result.errors).toEqual([]);
      const finished = [...p1.finishedBuilds, ...p2.finishedBuilds];
      expect(finished.length).toBeGreaterThan(5);
      for (const f of finished) {
        const b = em.cluster.engine.build(f.jobName, f.number)!;
        expect(f.builtOn).toBe(b.builtOn);
        expect(f.durationMs).toBe(b.endMs! - b.startMs);
        expect(f.queue).toMatchObject({ source: 'time_in_queue_action', waitMs: b.waitingMs + b.buildableMs, buildableMs: b.buildableMs });
      }
    } finally {
      await c.shutdown();
    }
  });
});
