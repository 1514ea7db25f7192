/**
 * Issue 14 item 7 (Docker side): `pids_stats.current` 2^63 and memory 2^70 were copied into the
 * document, and Elasticsearch rejected the whole document (beyond `long`). Now each is an
 * `RS_ERR_PARSE_RANGE` item error: the field is left out, the document kept.
 *
 * Issue 14 "also": Docker label keys had `.` → `_`, contrary to docs/data-model.md (keys keep
 * their dots; the mapping has `subobjects: false`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectorFromEndpoint, type DockerCollector } from '../../src/collectors/docker/index.js';
import type { ContainerDoc } from '../../src/model/index.js';
import { FakeEngine } from '../unit/collectors/docker/fakeEngine.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const never = new AbortController().signal;

describe('absurd engine numbers and dotted labels', () => {
  let engine: FakeEngine;
  let collector: DockerCollector;
  beforeEach(async () => {
    engine = new FakeEngine();
    engine.add({ id: A, name: 'absurd', totalUsageNs: 1e9, read: '2026-11-22T03:00:00Z', pidsCurrent: 2 ** 63, memoryUsage: 2 ** 70 });
    engine.add({ id: B, name: 'sane', totalUsageNs: 1e9, read: '2026-11-22T03:00:00Z', pidsCurrent: 7, memoryUsage: 5_000_000 });
    await engine.start();
    collector = collectorFromEndpoint(engine.url, { timeoutMs: 2000 });
  });
  afterEach(async () => {
    await collector.shutdown();
    await engine.stop();
  });

  it('pids 2^63 and memory 2^70: the fields are left out and counted as RS_ERR_PARSE_RANGE; both documents are kept', async () => {
    const r = await collector.collect(never);
    const docs = new Map<string, ContainerDoc>(r.samples.flatMap((s) => (s.kind === 'container' ? [[s.doc.container.id, s.doc] as const] : [])));
    const absurd = docs.get(A);
    expect(absurd).toBeDefined();
    expect(absurd?.process).toBeUndefined();
    expect(absurd?.memory?.usage_bytes).toBeUndefined();
    expect(absurd?.memory?.working_set_bytes).toBeUndefined();
    expect(absurd?.memory?.rss_bytes).toBeUndefined();
    expect(JSON.stringify(absurd, (_k, v: unknown) => (typeof v === 'number' && v > 2 ** 53 ? 'TOO BIG' : v))).not.toContain('TOO BIG');
    expect(r.errors.filter((e) => e.subject === A).map((e) => [e.code, /memory_stats\.usage|pids_stats\.current/.exec(e.message)?.[0]])).toEqual([
      ['RS_ERR_PARSE_RANGE', 'memory_stats.usage'],
      ['RS_ERR_PARSE_RANGE', 'pids_stats.current'],
    ]);
    expect(r.errors.filter((e) => e.subject !== A)).toEqual([]);
    expect(docs.get(B)).toMatchObject({ process: { count: 7 }, memory: { usage_bytes: 5_000_000 } });
  });

  it('a CPU rate beyond the host’s CPUs is an RS_ERR_PARSE_RANGE item error, the document kept without CPU figures', async () => {
    await collector.collect(never);
    for (const c of engine.containers.values()) c.read = '2026-11-22T03:00:01Z';
    engine.containers.get(A)!.totalUsageNs += 1e15; // 10^6 s of CPU in 1 s on 4 CPUs
    engine.containers.get(B)!.totalUsageNs += 5e8;
    const r = await collector.collect(never);
    const absurd = r.samples.find((s) => s.kind === 'container' && s.doc.container.id === A);
    expect(absurd?.kind === 'container' && absurd.doc.cpu?.cores).toBeUndefined();
    expect(r.errors.filter((e) => e.subject === A && e.message.includes('CPU rate')).map((e) => e.code)).toEqual(['RS_ERR_PARSE_RANGE']);
    const sane = r.samples.find((s) => s.kind === 'container' && s.doc.container.id === B);
    expect(sane?.kind === 'container' && sane.doc.cpu?.cores).toBeCloseTo(0.5, 9);
  });

  it('label keys keep their dots, as docs/data-model.md says', async () => {
    const r = await collector.collect(never);
    const doc = r.samples.find((s) => s.kind === 'container');
    expect(doc?.kind === 'container' && doc.doc.container.labels).toEqual({ 'team.name': 'ci' });
  });
});
