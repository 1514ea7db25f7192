import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors/index.js';
import { overridesFromConfig } from '../../../src/cli/commands/analyze.js';

function problemsOf(raw: unknown): { path: string; message: string }[] {
  try {
    validateConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}
const overrides = (list: unknown[]) => ({ analysis: { overrides: list } });

describe('analysis.overrides config', () => {
  it('accepts entries with globs, labels, exclusion, pins and knobs, and maps them onto the analysis', () => {
    const c = validateConfig(
      overrides([
        { name: 'release', match: { job: 'release/**' }, memory: { minBytes: '4GiB', headroom: 0.5 }, cpu: { minCores: 1 } },
        { match: { job: ['*-deploy', 'ops/**'], label: 'docker-*' }, exclude: true },
      ]),
    );
    expect(c.analysis.overrides).toHaveLength(2);
    expect(c.analysis.labels.pluginVersion).toBe('1');
    const set = overridesFromConfig(c.analysis)!;
    expect(set.size).toBe(2);
    const release = set.match('release/app/main', undefined)!;
    expect(release).toEqual({ id: 'release', jobGlobs: ['release/**'], memory: { min: 4 * 1024 ** 3, headroom: 0.5 }, cpu: { min: 1 } });
    expect(set.match('web-deploy', 'docker-large')).toEqual({ id: '1', jobGlobs: ['*-deploy', 'ops/**'], labelGlobs: ['docker-*'], exclude: true });
    expect(set.match('web-deploy', 'bare')).toBeUndefined();
    expect(overridesFromConfig(validateConfig({}).analysis)).toBeUndefined();
  });

  it('unknown keys are errors with their path', () => {
    const p = problemsOf(overrides([{ match: { job: 'a', jobs: 'b' }, exclude: true, pin: 1, memory: { minBytes: '1g', min: 1 } }]));
    const paths = p.map((x) => x.path);
    expect(paths).toContain('/analysis/overrides/0/pin');
    expect(paths).toContain('/analysis/overrides/0/match/jobs');
    expect(paths).toContain('/analysis/overrides/0/memory/min');
  });

  it('invalid globs are errors naming the glob position', () => {
    const p = problemsOf(overrides([{ match: { job: ['ok/**', 'bad[', '{a,b}'], label: '***' }, exclude: true }]));
    expect(p).toEqual(
      expect.arrayContaining([
        { path: '/analysis/overrides/0/match/job/1', message: expect.stringMatching(/not a glob: unclosed \[/) as unknown as string },
        { path: '/analysis/overrides/0/match/job/2', message: expect.stringMatching(/brace/) as unknown as string },
        { path: '/analysis/overrides/0/match/label', message: expect.stringMatching(/\*\*\*/) as unknown as string },
      ]),
    );
    expect(p.map((x) => x.path)).not.toContain('/analysis/overrides/0/match/job/0');
  });

  it('entries that match nothing, do nothing, or contradict themselves are errors', () => {
    const p = problemsOf(
      overrides([
        { match: {}, exclude: true },
        { match: { job: 'a' } },
        { match: { job: 'a' }, exclude: true, cpu: { maxCores: 2 } },
        { name: 'x', match: { job: 'a' }, cpu: { minCores: 3, maxCores: 2 } },
        { name: 'x', match: { job: 'b' }, memory: { minBytes: '8g', maxBytes: '4g' } },
        { match: { job: 'c' }, memory: { minBytes: 'lots' } },
        { match: { job: 'd' }, cpu: { minCores: 64 }, memory: { maxBytes: '100MiB' } },
      ]),
    );
    const byPath = new Map(p.map((x) => [x.path, x.message]));
    expect(byPath.get('/analysis/overrides/0/match')).toMatch(/job and\/or label/);
    expect(byPath.get('/analysis/overrides/1')).toMatch(/does nothing/);
    expect(byPath.get('/analysis/overrides/2/exclude')).toMatch(/excluded job gets no recommendation/);
    expect(byPath.get('/analysis/overrides/3/cpu/minCores')).toMatch(/maxCores/);
    expect(byPath.get('/analysis/overrides/4/name')).toMatch(/duplicate override name 'x'/);
    expect(byPath.get('/analysis/overrides/4/memory/minBytes')).toMatch(/maxBytes/);
    expect(byPath.get('/analysis/overrides/5/memory/minBytes')).toMatch(/not a size/);
    expect(byPath.get('/analysis/overrides/6/cpu/minCores')).toMatch(/capCores/);
    expect(byPath.get('/analysis/overrides/6/memory/maxBytes')).toMatch(/floorBytes/);
  });

  it('analysis.labels.pluginVersion is 1 or 2', () => {
    expect(validateConfig({ analysis: { labels: { pluginVersion: '2' } } }).analysis.labels.pluginVersion).toBe('2');
    expect(problemsOf({ analysis: { labels: { pluginVersion: '3' } } }).map((x) => x.path)).toContain('/analysis/labels/pluginVersion');
  });
});
