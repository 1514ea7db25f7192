/**
 * Fault 2 (issue 15): `rightsize collect` (built CLI) SIGKILLed while a build summary is pending,
 * restarted RIGHTSIZE_FAULT_KILL_GAP_S (10) seconds later with the same `collect.stateDir` →
 * nothing lost beyond the in-memory buffer of the killed process (docs/operations.md: documents
 * not yet confirmed by Elasticsearch when the process dies), nothing duplicated, and every build
 * the state file held at the kill is summarised by the restarted process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testEsUrl } from '../support/env.js';
import { pollUntil } from '../support/poll.js';
import { storeFaultFixture } from './support/fixture.js';
import { allIds, Collector, duplicates, say, startEmulator, writeCollectConfig } from './support/processes.js';

const CASE = 'collect-sigkill';
const GAP_MS = Number(process.env['RIGHTSIZE_FAULT_KILL_GAP_S'] ?? 10) * 1000;
const ES_URL = testEsUrl();

interface StateFile {
  builds: { build: { jobName: string; number: number } }[];
}

function pendingInFile(path: string): StateFile['builds'] {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as StateFile).builds;
  } catch {
    return [];
  }
}

describe('fault: collect SIGKILLed and restarted', () => {
  const { dir, procs, es, prefix: newPrefix } = storeFaultFixture('kill', ES_URL);
  const prefix = newPrefix('fault-kill');

  it('loses nothing beyond the buffer, duplicates nothing, and summarises the pending builds after the restart', async () => {
    const em = await startEmulator(dir);
    procs.push(em.proc);
    const config = writeCollectConfig(dir, { esUrl: ES_URL, prefix, urls: em.urls });
    const stateFile = join(dir, 'state', 'pending-builds.json');
    const first = await Collector.start(config, dir);
    procs.push(first);

    // Kill at a moment a build is pending (persisted in the state file).
    const atKill = await pollUntil(
      'a pending build in the state file',
      240_000,
      async () => {
        const m = await first.metrics();
        return (m.get('rightsize_builds_pending') ?? 0) > 0 && (m.get('rightsize_sink_indexed_documents_total') ?? 0) > 0 && pendingInFile(stateFile).length > 0 ? m : undefined;
      },
      250,
    );
    await first.kill9();
    const killedMs = Date.now();
    const pending = pendingInFile(stateFile).map((b) => `${b.build.jobName}#${b.build.number}`);
    const indexed1 = atKill.get('rightsize_sink_indexed_documents_total') ?? 0;
    const received1 = atKill.get('rightsize_sink_received_documents_total') ?? 0;
    const buffered1 = atKill.get('rightsize_sink_buffered_documents') ?? 0;
    say(CASE, `SIGKILL after ${((killedMs - first.startedMs) / 1000).toFixed(0)} s: received ${received1}, indexed ${indexed1}, buffered ${buffered1} (last /metrics read); pending builds in the state file: ${pending.join(', ')}`);
    expect(pending.length).toBeGreaterThan(0);
    await es.indices.refresh({ index: `${prefix}-*` });
    const idsAtKill = await allIds(es, `${prefix}-*`);
    // The killed process's documents in the store: at least what it had confirmed, at most what it had received.
    expect(idsAtKill.length).toBeGreaterThanOrEqual(indexed1);

    await new Promise((r) => setTimeout(r, GAP_MS)); // the collector is down for the gap
    const second = await Collector.start(config, dir);
    procs.push(second);
    const resumed = await pollUntil('the pending builds resumed', 60_000, async () => ((await second.metrics()).get('rightsize_builds_resumed_total') ?? 0) || undefined, 250);
    say(CASE, `restarted after ${((second.startedMs - killedMs) / 1000).toFixed(1)} s; resumed ${resumed} pending builds from the state file`);
    expect(resumed).toBeGreaterThanOrEqual(pending.length);

    const keyOf = (h: { _source?: unknown }): string => {
      const s = h._source as { jenkins: { job: { name: string }; build: { number: number } } };
      return `${s.jenkins.job.name}#${s.jenkins.build.number}`;
    };
    const summarisedMs = await pollUntil(
      'the builds pending at the kill summarised',
      180_000,
      async () => {
        await es.indices.refresh({ index: `${prefix}-builds-*`, ignore_unavailable: true, allow_no_indices: true });
        const res = await es.search({ index: `${prefix}-builds-*`, size: 10_000, _source: ['jenkins.job.name', 'jenkins.build.number'], ignore_unavailable: true, allow_no_indices: true });
        const have = new Set(res.hits.hits.map(keyOf));
        return pending.every((k) => have.has(k)) ? Date.now() : undefined;
      },
      1_000,
    );
    say(CASE, `every build pending at the kill summarised ${((summarisedMs - second.startedMs) / 1000).toFixed(1)} s after the restart`);

    const stopped = await second.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    const { sink, builds } = second.finalStats();
    const ids = await allIds(es, `${prefix}-*`);
    const fromFirst = ids.length - sink['indexed']!;
    say(CASE, `second process: received ${sink['received']}, indexed ${sink['indexed']}, dropped ${sink['dropped']}; builds written ${builds?.['written']}, dropped ${JSON.stringify({ overflow: builds?.['droppedOverflow'], expired: builds?.['droppedExpired'], rejected: builds?.['droppedRejected'] })}`);
    say(CASE, `store: ${ids.length} documents, ${duplicates(ids)} duplicated _id; of them ${fromFirst} from the killed process (confirmed ${indexed1}, received ${received1} at the last read): lost at most ${Math.max(0, received1 - fromFirst)} (its buffer held ${buffered1})`);
    const res = await es.search({ index: `${prefix}-builds-*`, size: 10_000, _source: ['jenkins.job.name', 'jenkins.build.number'] });
    const keys = res.hits.hits.map(keyOf);
    say(CASE, `builds documents: ${keys.length}, ${keys.length - new Set(keys).size} job#number twice`);
    expect(duplicates(ids)).toBe(0);
    expect(keys.length - new Set(keys).size).toBe(0);
    expect(sink['dropped']).toBe(0);
    expect(fromFirst).toBeGreaterThanOrEqual(indexed1);
    expect((builds?.['droppedRejected'] ?? 0) + (builds?.['droppedExpired'] ?? 0) + (builds?.['droppedOverflow'] ?? 0)).toBe(0);
  });
});
