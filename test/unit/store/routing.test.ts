import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/model/index.js';
import { RightsizeError } from '../../../src/errors/index.js';
import { alertStateId, idFor, indexFor, indexName, indexPattern, routeSample } from '../../../src/store/index.js';
import { containerSample, sampleOfEveryKind } from './fixtures.js';

const byKind = (kind: Sample['kind']): Sample => sampleOfEveryKind().find((s) => s.kind === kind)!;

describe('indexFor', () => {
  it('puts each kind in its daily or monthly index, dated from @timestamp', () => {
    const got = Object.fromEntries(sampleOfEveryKind('2026-11-22T03:07:00.000Z').map((s) => [s.kind, indexFor(s, 'rightsize')]));
    expect(got).toEqual({
      container: 'rightsize-containers-2026.11.22',
      cluster: 'rightsize-cluster-2026.11.22',
      agent: 'rightsize-cluster-2026.11.22',
      role: 'rightsize-cluster-2026.11.22',
      queue: 'rightsize-queue-2026.11.22',
      build: 'rightsize-builds-2026.11',
    });
  });

  it('uses the UTC date, not the offset written in the timestamp', () => {
    // 23:30 at -02:00 is 01:30 UTC on the next day; and the last ms of a month stays in it.
    expect(indexFor(containerSample('c', '2026-11-22T23:30:00-02:00'), 'p')).toBe('p-containers-2026.11.23');
    expect(indexFor(containerSample('c', '2026-12-31T23:59:59.999Z'), 'p')).toBe('p-containers-2026.12.31');
    expect(indexFor(containerSample('c', '2027-01-01T00:00:00.000Z'), 'p')).toBe('p-containers-2027.01.01');
  });

  it('rejects an unusable @timestamp with a coded error, and routeSample reports it as data', () => {
    for (const ts of ['', 'yesterday', '2026-13-40T00:00:00Z', '+275760-09-13T00:00:00.000Z', '1969-12-31T23:59:59Z']) {
      const s = containerSample('c', ts);
      expect(() => indexFor(s, 'p')).toThrow(RightsizeError);
      try {
        indexFor(s, 'p');
      } catch (err) {
        expect((err as RightsizeError).code).toBe('RS_ERR_STORE_DOC_INVALID');
      }
      const route = routeSample(s, 'p');
      expect(route.ok).toBe(false);
    }
  });
});

describe('idFor', () => {
  it('is a 40-hex sha1, the same for the same observation', () => {
    for (const s of sampleOfEveryKind()) {
      expect(idFor(s)).toMatch(/^[0-9a-f]{40}$/);
      expect(idFor(structuredClone(s))).toBe(idFor(s));
    }
  });

  it('pins the build id format (sha1 of the JSON array ["build", url, job, number])', () => {
    // Computed outside the project: python3 -c "import hashlib; print(hashlib.sha1(
    //   b'[\"build\",\"http://jenkins:8080/\",\"app/main\",42]').hexdigest())"
    // A change here re-ids every stored build: bump the template version and say so.
    expect(idFor(byKind('build'))).toBe('245da616d3cdc8492468a2e31b51e8f19c829c3e');
  });

  it('treats equal instants written differently as the same sample', () => {
    const a = containerSample('abc', '2026-11-22T03:07:00Z');
    const b = containerSample('abc', '2026-11-22T03:07:00.000Z');
    const c = containerSample('abc', '2026-11-22T04:07:00.000+01:00');
    expect(idFor(a)).toBe(idFor(b));
    expect(idFor(a)).toBe(idFor(c));
  });

  it('ignores measured values: a retry with the same identity keeps its id', () => {
    expect(idFor(containerSample('abc', '2026-11-22T03:07:00Z', 0.1))).toBe(idFor(containerSample('abc', '2026-11-22T03:07:00Z', 0.9)));
  });

  it('changes with every identity field', () => {
    const base = containerSample('abc', '2026-11-22T03:07:00Z');
    const d = base.doc as Extract<Sample, { kind: 'container' }>['doc'];
    const variants: Sample[] = [
      containerSample('abd', '2026-11-22T03:07:00Z'),
      containerSample('abc', '2026-11-22T03:07:01Z'),
      { kind: 'container', doc: { ...d, service: { address: 'tcp://other:2375' } } },
      { kind: 'container', doc: { ...d, event: { dataset: 'mesos.executor' } } },
    ];
    const ids = new Set([idFor(base), ...variants.map(idFor)]);
    expect(ids.size).toBe(1 + variants.length);
  });

  it('identifies a build by url, job and number, not by when it was summarised', () => {
    const b = byKind('build') as Extract<Sample, { kind: 'build' }>;
    const later: Sample = { kind: 'build', doc: { ...b.doc, '@timestamp': '2026-11-23T00:00:00Z' } };
    const next: Sample = { kind: 'build', doc: { ...b.doc, jenkins: { ...b.doc.jenkins, build: { number: 43 } } } };
    const otherJenkins: Sample = { kind: 'build', doc: { ...b.doc, jenkins: { ...b.doc.jenkins, url: 'http://j2:8080/' } } };
    expect(idFor(later)).toBe(idFor(b));
    expect(idFor(next)).not.toBe(idFor(b));
    expect(idFor(otherJenkins)).not.toBe(idFor(b));
  });

  it('separates kinds and fields that could be concatenated alike', () => {
    const q = byKind('queue') as Extract<Sample, { kind: 'queue' }>;
    const q1: Sample = { kind: 'queue', doc: { ...q.doc, jenkins: { url: 'http://j/a', label: 'b' } } };
    const q2: Sample = { kind: 'queue', doc: { ...q.doc, jenkins: { url: 'http://j/', label: 'ab' } } };
    expect(idFor(q1)).not.toBe(idFor(q2));
    const all = sampleOfEveryKind().map(idFor);
    expect(new Set(all).size).toBe(all.length);
  });

  it('refuses samples without their identity field', () => {
    const noId = { kind: 'container', doc: { '@timestamp': '2026-11-22T03:07:00Z', event: { dataset: 'docker.container' }, container: { id: '' } } } as Sample;
    expect(routeSample(noId, 'p')).toEqual({ ok: false, reason: 'container.id is missing' });
    const b = byKind('build') as Extract<Sample, { kind: 'build' }>;
    const badNumber = { kind: 'build', doc: { ...b.doc, jenkins: { ...b.doc.jenkins, build: { number: 1.5 } } } } as Sample;
    expect(routeSample(badNumber, 'p').ok).toBe(false);
  });
});

describe('names', () => {
  it('names single, daily and monthly indices and their template patterns', () => {
    const t = Date.UTC(2026, 1, 3, 12);
    expect(indexName('rs', 'recommendations', t)).toBe('rs-recommendations');
    expect(indexName('rs', 'recommendations-history', t)).toBe('rs-recommendations-history-2026.02');
    expect(indexName('rs', 'alert-events', t)).toBe('rs-alert-events-2026.02');
    expect(indexName('rs', 'queue', t)).toBe('rs-queue-2026.02.03');
    expect(indexPattern('rs', 'silences')).toBe('rs-silences');
    expect(indexPattern('rs', 'containers')).toBe('rs-containers-*');
  });

  it('keeps alert state ids apart when rule or group contain separators', () => {
    expect(alertStateId('a:b', 'c')).not.toBe(alertStateId('a', 'b:c'));
    expect(alertStateId('r', 'g')).toBe(alertStateId('r', 'g'));
  });
});
