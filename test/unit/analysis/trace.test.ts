import { describe, expect, it } from 'vitest';
import { ARCHETYPES, generateTrace, parseTrace, toNdjson, validateBuildDoc } from '../../../src/analysis/index.js';

describe('trace generator', () => {
  const docs = generateTrace({ jobs: 30, buildsPerJob: 40, seed: 3 });

  it('is deterministic by seed and differs across seeds', () => {
    expect(toNdjson(generateTrace({ jobs: 30, buildsPerJob: 40, seed: 3 }))).toBe(toNdjson(docs));
    expect(toNdjson(generateTrace({ jobs: 30, buildsPerJob: 40, seed: 4 }))).not.toBe(toNdjson(docs));
  });
  it('emits valid builds documents sorted by start, per job in sequence', () => {
    expect(docs).toHaveLength(1200);
    for (const d of docs) expect(validateBuildDoc(d)).toBeUndefined();
    expect(docs.every((d, i) => i === 0 || docs[i - 1]!.build.start <= d.build.start)).toBe(true);
    for (const d of docs) {
      expect(d.build.end - d.build.start).toBe(d.build.duration_ms);
      expect(d['@timestamp']).toBe(new Date(d.build.end).toISOString());
    }
  });
  it('marks OOM kills exactly when the need exceeded the request (peak recorded at the limit)', () => {
    const ooms = docs.filter((d) => d.outcome?.oom_killed);
    expect(ooms.length).toBeGreaterThan(0);
    for (const d of ooms) {
      expect(d.usage!.memory!.peak_bytes).toBe(d.request!.memory_bytes);
      expect(d.jenkins.result).toBe('FAILURE');
    }
    for (const d of docs.filter((x) => !x.outcome?.oom_killed)) expect(d.usage!.memory!.peak_bytes!).toBeLessThanOrEqual(d.request!.memory_bytes!);
  });
  it('covers every archetype and over-sizes the status quo', () => {
    const kinds = new Set(docs.map((d) => d.jenkins.job.name.split('/')[2]!.replace(/-\d+$/, '')));
    expect([...kinds].sort()).toEqual([...ARCHETYPES].sort());
    const used = docs.reduce((s, d) => s + d.usage!.cpu!.p95_cores!, 0);
    const reserved = docs.reduce((s, d) => s + d.request!.cpu_cores!, 0);
    expect(used / reserved).toBeLessThan(0.6);
  });
});

describe('trace parser', () => {
  const good = JSON.stringify(generateTrace({ jobs: 1, buildsPerJob: 1, seed: 1 })[0]);
  it('skips and counts bad lines with their line numbers and codes', () => {
    const text = [good, '', '{not json', '{"jenkins":{"job":{"name":""},"build":{"number":1}},"build":{"start":1,"end":2,"duration_ms":1}}', good, '[1,2]'].join('\n');
    const r = parseTrace(text);
    expect(r.builds).toHaveLength(2);
    expect(r.lines).toBe(5);
    expect(r.problems.map((p) => [p.line, p.code])).toEqual([
      [3, 'RS_ERR_PARSE_JSON'],
      [4, 'RS_ERR_PARSE_SHAPE'],
      [6, 'RS_ERR_PARSE_SHAPE'],
    ]);
    expect(r.problems[1]!.message).toMatch(/jenkins.job.name/);
  });
  it('rejects NaN-like, negative and inverted values instead of guessing', () => {
    const base = JSON.parse(good) as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately malformed documents
    type Loose = any;
    const bad = (patch: (d: Loose) => void): string | undefined => {
      const d = structuredClone(base) as Loose;
      patch(d);
      return validateBuildDoc(d);
    };
    expect(bad((d) => (d.usage.cpu.p95_cores = -1))).toMatch(/p95_cores/);
    expect(bad((d) => (d.usage.memory.peak_bytes = '1g'))).toMatch(/peak_bytes/);
    expect(bad((d) => (d.build.end = d.build.start - 1))).toMatch(/before/);
    expect(bad((d) => (d.usage.cpu.throttled_ratio = 1.5))).toMatch(/throttled_ratio/);
    expect(bad((d) => (d.outcome.oom_killed = 'yes'))).toMatch(/oom_killed/);
    expect(bad((d) => (d.jenkins.build.number = 1.5))).toMatch(/number/);
    expect(bad(() => undefined)).toBeUndefined();
  });
  it('accepts CRLF line endings and a missing final newline', () => {
    expect(parseTrace(`${good}\r\n${good}`).builds).toHaveLength(2);
  });
});
