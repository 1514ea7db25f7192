/**
 * Fault 3 (issue 15): the Mesos leader of the emulated cluster (3 masters, `rightsize emulate`
 * as a process) killed while `rightsize collect` (built CLI) polls it → the next master poll, at
 * most one interval (plus the poll's own timeout) later, comes from the new leader; then one agent
 * vanishes → the other agent is still collected and the dead one is counted as item errors.
 * The kill is the emulator's `POST /__emulator/kill` (docs/emulators.md): the server closes as a
 * crash would (connections refused), a killed leader failing over to a live master first.
 */
import { describe, expect, it } from 'vitest';
import { testEsUrl } from '../support/env.js';
import { pollUntil } from '../support/poll.js';
import { storeFaultFixture } from './support/fixture.js';
import { Collector, say, startEmulator, sumOf, writeCollectConfig } from './support/processes.js';

const CASE = 'mesos-leader-killed';
const INTERVAL_MS = 5_000;
const TIMEOUT_MS = 3_000; // mesos.timeoutMs of writeCollectConfig
const ES_URL = testEsUrl();

interface Doc {
  '@timestamp': string;
  mesos?: { master?: { url?: string } };
  service?: { address?: string };
}

/** A URL without its trailing slash (documents keep the configured base, `http://host:port/`). */
const bare = (u: string | undefined): string | undefined => u?.replace(/\/+$/, '');

describe('fault: Mesos leader killed, then an agent vanishes', () => {
  const { dir, procs, es, prefix: newPrefix } = storeFaultFixture('mesos', ES_URL);
  const prefix = newPrefix('fault-mesos');

  /** Documents of `dataset` with `@timestamp` after `afterMs`, oldest first. */
  async function docsAfter(kind: 'cluster' | 'containers', dataset: string, afterMs: number): Promise<Doc[]> {
    await es.indices.refresh({ index: `${prefix}-${kind}-*`, ignore_unavailable: true, allow_no_indices: true });
    const res = await es.search<Doc>({
      index: `${prefix}-${kind}-*`,
      size: 1000,
      ignore_unavailable: true,
      allow_no_indices: true,
      sort: [{ '@timestamp': 'asc' }],
      query: { bool: { filter: [{ term: { 'event.dataset': dataset } }, { range: { '@timestamp': { gt: new Date(afterMs).toISOString() } } }] } },
    });
    return res.hits.hits.map((h) => h._source!);
  }

  it('collects from the new leader within one interval, and from the remaining agent', async () => {
    const em = await startEmulator(dir);
    procs.push(em.proc);
    const [m0, m1] = em.urls.masters as [string, string, string];
    const [a0, a1] = em.urls.agents as [string, string];
    const c = await Collector.start(writeCollectConfig(dir, { esUrl: ES_URL, prefix, urls: em.urls, intervalMs: INTERVAL_MS }), dir);
    procs.push(c);
    const first = await pollUntil('a master document from the first leader', 120_000, async () => (await docsAfter('cluster', 'mesos.master', 0))[0], 1000);
    expect(bare(first.mesos?.master?.url)).toBe(m0);

    const killMs = Date.now();
    const res = await fetch(`${m1}/__emulator/kill?master=0`, { method: 'POST' });
    expect(res.status).toBe(200);
    const newLeader = ((await res.json()) as { leader: string }).leader;
    say(CASE, `killed the leader ${m0}; the emulator elected ${newLeader}`);
    const next = await pollUntil('a master document after the kill', 60_000, async () => (await docsAfter('cluster', 'mesos.master', killMs))[0], 500);
    const recoveryMs = Date.parse(next['@timestamp']) - killMs;
    say(CASE, `first master document after the kill: from ${next.mesos?.master?.url}, ${recoveryMs} ms after the kill (interval ${INTERVAL_MS} ms, poll timeout ${TIMEOUT_MS} ms)`);
    expect(bare(next.mesos?.master?.url)).toBe(newLeader);
    expect(recoveryMs).toBeLessThanOrEqual(INTERVAL_MS + TIMEOUT_MS);
    const later = await docsAfter('cluster', 'mesos.master', killMs);
    expect(later.filter((d) => bare(d.mesos?.master?.url) === m0)).toEqual([]);

    // An agent vanishes: choose one that has executors now, and require the other one's documents after it.
    const errorsBefore = sumOf(await c.metrics(), 'rightsize_collector_item_errors_total', 'mesos-agents');
    const agentKillMs = Date.now();
    expect((await fetch(`${m1}/__emulator/kill?agent=0`, { method: 'POST' })).status).toBe(200);
    say(CASE, `killed agent ${a0}`);
    const fromOther = await pollUntil(
      'executor documents from the remaining agent',
      120_000,
      async () => {
        const docs = await docsAfter('containers', 'mesos.executor', agentKillMs + 1_000);
        return docs.some((d) => bare(d.service?.address) === a1) ? docs : undefined;
      },
      1000,
    );
    const errorsAfter = await pollUntil('the dead agent counted as item errors', 60_000, async () => {
      const n = sumOf(await c.metrics(), 'rightsize_collector_item_errors_total', 'mesos-agents');
      return n > errorsBefore ? n : undefined;
    });
    const m = await c.metrics();
    say(
      CASE,
      `after the agent vanished: ${fromOther.filter((d) => bare(d.service?.address) === a1).length} executor documents from ${a1}, ${fromOther.filter((d) => bare(d.service?.address) === a0).length} from ${a0}; ` +
        `mesos-agents item errors ${errorsBefore} → ${errorsAfter}, failed polls ${sumOf(m, 'rightsize_collector_failed_polls_total', 'mesos-agents')}`,
    );
    expect(fromOther.filter((d) => bare(d.service?.address) === a0)).toEqual([]);
    expect(sumOf(m, 'rightsize_collector_failed_polls_total', 'mesos-agents')).toBe(0);
    expect((await c.stop('SIGTERM')).code).toBe(0);
  });
});
