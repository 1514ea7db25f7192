import { describe, expect, it } from 'vitest';
import { at, done, FieldReader, finiteNumber, isRecord } from '../../../src/util/json.js';

describe('util/json', () => {
  it('isRecord: plain objects only', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
    expect(isRecord('x')).toBe(false);
  });

  it('at: follows a dotted path through objects, undefined when a step is not an object', () => {
    const body = { hits: { hits: [{ _id: 'a' }] }, aggregations: { jobs: { buckets: [], after_key: { job: 'x' } } } };
    expect(at(body, 'hits.hits')).toEqual([{ _id: 'a' }]);
    expect(at(body, 'aggregations.jobs.after_key.job')).toBe('x');
    expect(at(body, 'aggregations.missing.buckets')).toBeUndefined();
    expect(at(body, 'hits.hits.0')).toBeUndefined(); // arrays are not walked into
    expect(at('text', 'length')).toBeUndefined();
    expect(at(null, 'a')).toBeUndefined();
  });

  it('finiteNumber: numbers that are finite, nothing else', () => {
    expect(finiteNumber(0)).toBe(0);
    expect(finiteNumber(-2.5)).toBe(-2.5);
    expect(finiteNumber(Number.NaN)).toBeUndefined();
    expect(finiteNumber(Infinity)).toBeUndefined();
    expect(finiteNumber('1')).toBeUndefined();
    expect(finiteNumber(null)).toBeUndefined();
  });

  it('FieldReader reports wrong types as errors and absent values as nothing; done() carries them', () => {
    const fr = new FieldReader('t');
    const o = { n: 1, s: 'x', bad: 'nope', neg: -1, nul: null };
    expect(fr.num(o, 'n')).toBe(1);
    expect(fr.num(o, 'bad')).toBeUndefined();
    expect(fr.nonNeg(o, 'neg')).toBeUndefined();
    expect(fr.str(o, 'nul')).toBeUndefined();
    expect(fr.str(o, 'absent')).toBeUndefined();
    fr.skip('why', 2);
    const r = done('v', fr);
    expect(r.value).toBe('v');
    expect(r.errors.map((e) => e.subject)).toEqual(['bad', 'neg']);
    expect(r.skipped).toEqual({ why: 2 });
  });
});
