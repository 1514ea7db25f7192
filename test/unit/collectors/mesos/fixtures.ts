import { afterEach } from 'vitest';
import { MesosMasterCollector } from '../../../../src/collectors/mesos/index.js';
import type { ContainerDoc, Sample } from '../../../../src/model/index.js';
import { ManualClock } from '../../../../src/util/clock.js';
import { fakeServer, type FakeServer } from '../http/fakeServer.js';

/** Fake Mesos servers for one test file: each is closed after its test. Call at module level. */
export function fakeMesosServers(): () => Promise<FakeServer> {
  const servers: FakeServer[] = [];
  afterEach(async () => {
    // a test may have closed one already (a master that dies)
    await Promise.all(servers.splice(0).map((s) => s.close().catch(() => undefined)));
  });
  return async () => {
    const s = await fakeServer();
    servers.push(s);
    return s;
  };
}

/** The libprocess pid a fake master reports for itself. */
export function pidOf(s: FakeServer): string {
  return `master@${new URL(s.url).host}`;
}

/** A master collector on fake masters, with a clock fixed at 2026-11-22T03:00Z unless given. */
export const makeMasterCollector = (masters: FakeServer[], clock = new ManualClock(Date.parse('2026-11-22T03:00:00Z'))): MesosMasterCollector =>
  new MesosMasterCollector({ masters: masters.map((m) => m.url), timeoutMs: 2000, maxResponseBytes: 1_000_000, clock });

/** `/monitor/statistics` as the agent answers it. */
export type Stats = Array<{ executor_id: string; framework_id: string; executor_name?: string; statistics?: Record<string, number> }>;

/** The container documents of a round. */
export const containerDocs = (samples: readonly Sample[]): ContainerDoc[] => samples.flatMap((s) => (s.kind === 'container' ? [s.doc] : []));
