/**
 * Fault 1 (issue 15): Elasticsearch SIGKILLed for RIGHTSIZE_FAULT_OUTAGE_S (120) seconds while
 * `rightsize collect` (built CLI) polls the emulated cluster (`rightsize emulate`, a process), then
 * started again → every document the collector produced is indexed exactly once: the `_id`s in
 * the store, counted one by one, equal what its counters say it produced, none twice.
 */
import { describe, expect, it } from 'vitest';
import { testEsUrl } from '../support/env.js';
import { pollUntil } from '../support/poll.js';
import { storeFaultFixture } from './support/fixture.js';
import { allIds, Collector, duplicates, esKill, esStart, say, startEmulator, sumOf, writeCollectConfig } from './support/processes.js';

const CASE = 'es-killed';
const OUTAGE_MS = Number(process.env['RIGHTSIZE_FAULT_OUTAGE_S'] ?? 120) * 1000;
const ES_URL = testEsUrl();
const ES_PORT = Number(new URL(ES_URL).port || 9200);

describe('fault: Elasticsearch killed while collect runs', () => {
  const { dir, procs, es, prefix: newPrefix, onCleanup } = storeFaultFixture('es', ES_URL);
  const prefix = newPrefix('fault-es');
  onCleanup(() => esStart(ES_PORT).catch(() => undefined)); // never leave the run's Elasticsearch down

  it(`indexes every produced document exactly once after a ${OUTAGE_MS / 1000} s kill`, async () => {
    const em = await startEmulator(dir);
    procs.push(em.proc);
    const c = await Collector.start(writeCollectConfig(dir, { esUrl: ES_URL, prefix, urls: em.urls }), dir);
    procs.push(c);
    await pollUntil('first documents indexed', 120_000, async () => ((await c.metrics()).get('rightsize_sink_indexed_documents_total') ?? 0) > 0 || undefined, 1000);
    const before = await c.metrics();
    say(CASE, `warm-up: ${before.get('rightsize_sink_indexed_documents_total')} documents indexed; SIGKILL Elasticsearch on port ${ES_PORT}`);

    await esKill(ES_PORT);
    const downMs = Date.now();
    // The outage itself: the collector must keep collecting into its buffer meanwhile.
    let maxBuffered = 0;
    await pollUntil(
      `the ${OUTAGE_MS / 1000} s outage`,
      OUTAGE_MS + 30_000,
      async () => {
        maxBuffered = Math.max(maxBuffered, (await c.metrics()).get('rightsize_sink_buffered_documents') ?? 0);
        return Date.now() - downMs >= OUTAGE_MS || undefined;
      },
      5_000,
    );
    const during = await c.metrics();
    const health = await c.healthz();
    const producedDuringOutage = (during.get('rightsize_sink_received_documents_total') ?? 0) - (before.get('rightsize_sink_received_documents_total') ?? 0);
    say(CASE, `outage: ${producedDuringOutage} documents produced while Elasticsearch was down, ${maxBuffered} buffered at most, /healthz store ${JSON.stringify(health['store'])}`);
    expect(producedDuringOutage).toBeGreaterThan(0);
    expect(maxBuffered).toBeGreaterThan(0);
    expect((health['store'] as Record<string, unknown>)['status']).toBe('unreachable');

    await esStart(ES_PORT);
    const upMs = Date.now();
    say(CASE, `Elasticsearch back (yellow) ${((upMs - downMs) / 1000).toFixed(1)} s after the kill`);
    await pollUntil('the buffer drained', 180_000, async () => ((await c.metrics()).get('rightsize_sink_buffered_documents') === 0 ? true : undefined), 500);
    const drainedMs = Date.now();
    say(CASE, `buffer drained ${((drainedMs - upMs) / 1000).toFixed(1)} s after Elasticsearch was back`);

    const stopped = await c.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    const { sink, builds, targets } = c.finalStats();
    const ids = await allIds(es, `${prefix}-*`);
    const perTarget = targets.reduce((n, t) => n + Number(t['documents'] ?? 0), 0);
    say(
      CASE,
      `counters at the stop: sink received ${sink['received']}, indexed ${sink['indexed']}, dropped ${sink['dropped']}, buffered ${sink['buffered']}; ` +
        `targets produced ${perTarget} + builds written ${builds?.['written'] ?? 0} (dropped ${JSON.stringify({ overflow: builds?.['droppedOverflow'], expired: builds?.['droppedExpired'], rejected: builds?.['droppedRejected'] })})`,
    );
    say(CASE, `store: ${ids.length} documents, ${new Set(ids).size} distinct _id, ${duplicates(ids)} duplicated`);
    expect(sink['dropped']).toBe(0);
    expect(sink['buffered']).toBe(0);
    expect(sink['indexed']).toBe(sink['received']);
    expect(perTarget + (builds?.['written'] ?? 0)).toBe(sink['received']);
    expect(duplicates(ids)).toBe(0);
    expect(ids.length).toBe(sink['received']);
    expect((builds?.['droppedRejected'] ?? 0) + (builds?.['droppedExpired'] ?? 0) + (builds?.['droppedOverflow'] ?? 0)).toBe(0);
    expect(sumOf(during, 'rightsize_sink_dropped_documents_total')).toBe(0);
  });
});
