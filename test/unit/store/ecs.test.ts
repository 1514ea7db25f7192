import { describe, expect, it } from 'vitest';
import { ECS_VERSION, type Sample } from '../../../src/model/index.js';
import { moduleOf, storedDoc, withEcsBase } from '../../../src/store/index.js';
import { sampleOfEveryKind } from './fixtures.js';

describe('ECS base fields of stored documents', () => {
  it('event.module: the document\'s own, else the dataset\'s first segment, else rightsize', () => {
    expect(moduleOf({ event: { dataset: 'mesos.executor', module: 'mesos' } })).toBe('mesos');
    expect(moduleOf({ event: { dataset: 'jenkins.queue.label' } })).toBe('jenkins');
    expect(moduleOf({ jenkins: { job: { name: 'a' } } })).toBe('rightsize');
    expect(moduleOf({ event: { action: 'fired' } })).toBe('rightsize');
  });

  it('adds ecs.version and event.module, keeps every other field, leaves the input alone', () => {
    const doc = { '@timestamp': '2026-11-22T03:00:00.000Z', event: { dataset: 'jenkins.queue' }, queue: { length: 0 } };
    const out = withEcsBase(doc);
    expect(out).toEqual({ ...doc, ecs: { version: ECS_VERSION }, event: { dataset: 'jenkins.queue', module: 'jenkins' } });
    expect(doc).toEqual({ '@timestamp': '2026-11-22T03:00:00.000Z', event: { dataset: 'jenkins.queue' }, queue: { length: 0 } });
    expect(withEcsBase({ ecs: { version: '8.0.0' }, event: { action: 'fired' } })).toEqual({ ecs: { version: '8.0.0' }, event: { action: 'fired', module: 'rightsize' } });
  });

  it('every sample kind is stored with both fields', () => {
    const build: Sample = {
      kind: 'build',
      doc: { '@timestamp': '2026-11-22T03:00:00.000Z', jenkins: { job: { name: 'j' }, build: { number: 1 } }, build: { start: 0, end: 1, duration_ms: 1 } },
    };
    const all = [...sampleOfEveryKind(), build];
    expect(new Set(all.map((s) => s.kind))).toEqual(new Set(['container', 'cluster', 'agent', 'role', 'queue', 'build']));
    for (const s of all) {
      const d = storedDoc(s) as { ecs?: { version?: string }; event?: { module?: string } };
      expect(d.ecs?.version).toBe(ECS_VERSION);
      expect(typeof d.event?.module).toBe('string');
    }
    expect((storedDoc(build) as { event: { module: string } }).event.module).toBe('rightsize');
  });
});
