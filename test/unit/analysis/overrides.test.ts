import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, OverrideSet, analyzeBuilds, recommendWithOverride, recommendWorkload, type BuildRecord, type WorkloadOverride } from '../../../src/analysis/index.js';
import { RightsizeError } from '../../../src/errors/index.js';
import { GiB, MiB, NOW, builds } from './helpers.js';

const input = (list: BuildRecord[] = builds(30)) => ({ kind: 'jenkins.job' as const, key: 'team/app', jobName: 'team/app', builds: list });
const withOverride = (o: WorkloadOverride, list?: BuildRecord[]) => recommendWithOverride(input(list), DEFAULT_POLICY, o, NOW);
const plain = recommendWorkload(input(), DEFAULT_POLICY, NOW);

describe('override actions', () => {
  it('without pins the same recommendation as no override, plus the override:<id> reason', () => {
    // 700 MiB peaks: max(840, 956) MiB → 1024 MiB; 0.5-core p95 × 1.15 → 0.6.
    expect(plain.recommended.memory_bytes).toBe(1024 * MiB);
    expect(plain.recommended.cpu_cores).toBe(0.6);
    const low = withOverride({ id: 'release', jobGlobs: ['team/*'], memory: { min: 512 * MiB } });
    expect(low.recommended).toEqual(plain.recommended);
    expect(low.reasons).toEqual([...plain.reasons, 'override:release']);
  });

  it('a pinned minimum above the estimate binds, says so, and drives savings and severity', () => {
    const d = withOverride({ id: 'release', jobGlobs: ['team/*'], memory: { min: 6 * GiB } });
    expect(d.recommended.memory_bytes).toBe(6 * GiB);
    expect(d.recommended.cpu_cores).toBe(0.6);
    expect(d.reasons).toContain('override:release:pinned_min_memory');
    expect(d.reasons).not.toContain('override:release:pinned_min_cpu');
    // Current 4 GiB → 6 GiB: memory savings negative, a 2 GiB change is critical.
    expect(d.savings?.memory_gib_hours_per_week).toBeLessThan(0);
    expect(d.severity).toBe('critical');
  });

  it('a pinned maximum below the estimate binds on CPU', () => {
    const d = withOverride({ id: '3', jobGlobs: ['**'], cpu: { max: 0.4 } });
    expect(d.recommended.cpu_cores).toBe(0.4);
    expect(d.recommended.upper?.cpu_cores).toBeLessThanOrEqual(0.4);
    expect(d.reasons).toContain('override:3:pinned_max_cpu');
    expect(d.recommended.memory_bytes).toBe(plain.recommended.memory_bytes);
  });

  it('another headroom and percentile change the value and the basis', () => {
    const d = withOverride({ id: 'never-oom', jobGlobs: ['team/app'], memory: { headroom: 1 } });
    // 700 MiB × 2 = 1400 MiB → 1408 MiB on the 128 MiB ladder.
    expect(d.recommended.memory_bytes).toBe(1408 * MiB);
    expect(d.reasons).toContain('override:never-oom:memory_headroom');
    const alternating = builds(30, (i) => ({ cpuP95Cores: i % 3 === 0 ? 1.5 : 0.5, cpuMaxCores: 1.6 }));
    const base = recommendWorkload(input(alternating), DEFAULT_POLICY, NOW);
    const median = withOverride({ id: 'p50', jobGlobs: ['team/app'], cpu: { percentile: 0.5 } }, alternating);
    expect(base.recommended.cpu_cores).toBe(1.8); // p95 = 1.5 → 1.725 → 1.8
    expect(median.recommended.cpu_cores).toBe(0.6); // p50 = 0.5 → 0.575 → 0.6
    expect(median.basis.cpu_percentile).toBe(50);
    expect(median.reasons).toContain('override:p50:cpu_percentile');
  });
});

describe('override matching', () => {
  const set = new OverrideSet([
    { id: 'first', jobGlobs: ['release/**'], memory: { min: 4 * GiB } },
    { id: 'second', jobGlobs: ['release/app', 'other'], exclude: true },
    { id: 'docker', labelGlobs: ['docker-*'], cpu: { max: 1 } },
    { id: 'both', jobGlobs: ['team/*'], labelGlobs: ['big'], exclude: true },
  ]);
  it('the first matching entry wins; entries are not merged', () => {
    expect(set.match('release/app', undefined)?.id).toBe('first');
    expect(set.match('other', undefined)?.id).toBe('second');
    expect(set.match('releases/app', undefined)).toBeUndefined();
  });
  it('label globs need the job to have a matching label; job and label together must both match', () => {
    expect(set.match('x', 'docker-big')?.id).toBe('docker');
    expect(set.match('x', undefined)).toBeUndefined();
    expect(set.match('team/a', 'big')?.id).toBe('both');
    expect(set.match('team/a', 'small')).toBeUndefined();
    expect(set.match('team/a/b', 'big')).toBeUndefined();
  });
  it('hostile job names are matched literally', () => {
    const s = new OverrideSet([{ id: 'x', jobGlobs: ['a.b/*'], exclude: true }]);
    expect(s.match('a.b/$(rm -rf)\n', undefined)?.id).toBe('x');
    expect(s.match('aXb/j', undefined)).toBeUndefined();
  });
  it('an invalid glob or an entry that matches on nothing is a coded config error', () => {
    expect(() => new OverrideSet([{ id: 'bad', jobGlobs: ['[a-'], exclude: true }])).toThrow(RightsizeError);
    expect(() => new OverrideSet([{ id: 'bad', jobGlobs: ['[a-'], exclude: true }])).toThrow(/override bad job\[0\]/);
    expect(() => new OverrideSet([{ id: 'none', exclude: true }])).toThrow(/matches on nothing/);
  });
});

describe('exclusion in analyzeBuilds', () => {
  it('an excluded job is absent from jobs, labels and the plan, and listed as excluded', () => {
    const records = [
      ...builds(12, () => ({ key: 'release/app', job: 'release/app', label: 'big' })),
      ...builds(12, () => ({ key: 'team/app', job: 'team/app', label: 'big' })),
    ];
    const overrides = new OverrideSet([{ id: 'no-release', jobGlobs: ['release/**'], exclude: true }]);
    const r = analyzeBuilds(records, { policy: DEFAULT_POLICY, nowMs: NOW, overrides, planK: 2 });
    expect(r.jobs.map((d) => d.workload.key)).toEqual(['team/app']);
    expect(r.excluded).toEqual([{ key: 'release/app', override: 'no-release' }]);
    expect(r.labels).toHaveLength(1);
    expect(r.labels[0]!.basis.builds).toBe(12);
    expect(r.plan?.assignments.map((a) => a.key)).toEqual(['team/app']);
    // The measured waste still counts every build: exclusion is about recommendations only.
    const all = analyzeBuilds(records, { policy: DEFAULT_POLICY, nowMs: NOW });
    expect(r.waste.rows).toEqual(all.waste.rows);
    expect(all.excluded).toEqual([]);
  });
});
