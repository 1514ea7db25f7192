import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors/index.js';
import { parseScenario, validateScenario, loadScenarioFile } from '../../../src/emulators/scenario/schema.js';
import { Prng } from '../../../src/emulators/scenario/prng.js';
import { cpuPhases, modelUsage, planBuild, workloadArgs } from '../../../src/emulators/scenario/workload.js';
import { resolveScenarioPath } from '../../../src/emulators/scenario/builtin.js';

const minimal = {
  agents: [{ cpus: 4, memMb: 8192 }],
  labels: [{ name: 'L' }],
  jobs: [{ name: 'j', label: 'L', ratePerHour: 10, duration: { kind: 'fixed', seconds: 60 }, cpu: { kind: 'constant', cores: 1 }, memMb: 100 }],
};

function problems(raw: unknown): Array<{ path: string; message: string }> {
  try {
    validateScenario(raw, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('RS_ERR_CONFIG_INVALID');
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario validation', () => {
  it('fills the mesos-plugin defaults and freezes the result', () => {
    const s = validateScenario(minimal);
    expect(s.labels[0]).toMatchObject({ slaveCpus: 0.1, slaveMem: 512, executorCpus: 0.1, executorMem: 128, minExecutors: 1, maxExecutors: 2, idleTerminationMinutes: 3, singleUse: false });
    expect(s.mesos.masters).toBe(3);
    expect(s.jobs[0]!.oomProne).toBe(0);
    expect(Object.isFrozen(s.jobs[0])).toBe(true);
  });

  it('lists every problem with its path', () => {
    const raw = structuredClone(minimal) as Record<string, unknown>;
    raw['agents'] = [{ cpus: -1, memMb: 8192, gpus: 2 }];
    (raw['jobs'] as Array<Record<string, unknown>>)[0]!['ratePerHour'] = 'often';
    const ps = problems(raw);
    const paths = ps.map((p) => p.path);
    expect(paths).toContain('/agents/0/gpus');
    expect(paths).toContain('/agents/0/cpus');
    expect(paths).toContain('/jobs/0/ratePerHour');
    expect(ps.find((p) => p.path === '/agents/0/gpus')!.message).toMatch(/unknown key/);
  });

  it('rejects unknown labels, duplicate jobs, min > max executors and labels no agent can host', () => {
    const raw = structuredClone(minimal) as { labels: Array<Record<string, unknown>>; jobs: Array<Record<string, unknown>> };
    raw.labels.push({ name: 'huge', slaveCpus: 16 }, { name: 'bad', minExecutors: 3, maxExecutors: 2 });
    raw.jobs.push({ ...raw.jobs[0]!, label: 'nope' }, { ...raw.jobs[0]!, name: 'k', label: 'huge' });
    const ps = problems(raw);
    expect(ps).toEqual(
      expect.arrayContaining([
        { path: '/labels/2/minExecutors', message: 'must be ≤ maxExecutors (2)' },
        { path: '/jobs/1/name', message: "duplicate job 'j'" },
        { path: '/jobs/1/label', message: "unknown label 'nope' (known: L, huge, bad)" },
        { path: '/jobs/2/label', message: "label 'huge' asks for 16.1 cpus / 704 MB, more than any agent offers" },
      ]),
    );
  });

  it('rejects malformed YAML, a non-mapping and unknown kinds clearly', () => {
    expect(() => parseScenario('agents: [', 'x.yaml')).toThrow(/x.yaml: 1 problem\(s\)\n {2}\/: not valid YAML/);
    expect(problems([1, 2])).toEqual([{ path: '/', message: 'must be a mapping with agents, labels and jobs' }]);
    const raw = structuredClone(minimal) as { jobs: Array<Record<string, unknown>> };
    raw.jobs[0]!['cpu'] = { kind: 'wavy', cores: 1 };
    expect(problems(raw).map((p) => p.path)).toContain('/jobs/0/cpu');
  });

  it('the bundled demo scenario is valid', () => {
    const s = loadScenarioFile(resolveScenarioPath('demo'));
    expect(s.jobs.length).toBeGreaterThanOrEqual(4);
    expect(s.jobs.every((j) => j.firstBuildAfterSeconds <= 30)).toBe(true);
  });
});

describe('seeded PRNG', () => {
  it('replays the same stream for the same seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Prng(43).next()).not.toBe(xs[0]);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('exponential draws average to their mean', () => {
    const p = new Prng(1);
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += p.exponential(60);
    expect(sum / 20000).toBeGreaterThan(57);
    expect(sum / 20000).toBeLessThan(63);
  });
});

describe('build plans', () => {
  it('phases split the duration by fraction and scale with growth', () => {
    const prng = new Prng(1);
    expect(cpuPhases({ kind: 'phases', phases: [{ cores: 1, fraction: 0.25 }, { cores: 2, fraction: 0.75 }] }, 100_000, 1, prng)).toEqual([
      { cores: 1, durationMs: 25_000 },
      { cores: 2, durationMs: 75_000 },
    ]);
    expect(cpuPhases({ kind: 'constant', cores: 0.5 }, 10_000, 2, prng)).toEqual([{ cores: 1, durationMs: 10_000 }]);
  });

  it('bursty profiles keep the duration and the burst share', () => {
    const phases = cpuPhases({ kind: 'bursty', baseCores: 0.1, burstCores: 2, burstFraction: 0.2, burstSeconds: 5 }, 100_000, 1, new Prng(3));
    expect(phases.reduce((s, p) => s + p.durationMs, 0)).toBe(100_000);
    expect(phases.filter((p) => p.cores === 2).reduce((s, p) => s + p.durationMs, 0)).toBe(20_000);
  });

  it('growthPerDay scales CPU and memory by days since the start', () => {
    const job = validateScenario(minimal).jobs[0]!;
    const grown = { ...job, growthPerDay: 0.1 };
    const p = planBuild(grown, new Prng(1), 10, 10 * 1024 ** 3);
    expect(p.phases[0]!.cores).toBe(2);
    expect(p.peakMemBytes).toBe(200 * 1024 * 1024);
  });

  it('workload arguments and modelled usage follow the plan (CPU capped at the limit)', () => {
    const plan = { durationMs: 20_000, phases: [{ cores: 2, memBytes: 100 * 1024 * 1024, durationMs: 10_000 }, { cores: 0.5, memBytes: 100 * 1024 * 1024, durationMs: 10_000 }], peakMemBytes: 100 * 1024 * 1024, memRampMs: 4000, oom: false, exitCode: 1 };
    expect(workloadArgs(plan)).toEqual(['--phases', '2:102400k:10000ms,0.5:102400k:10000ms', '--mem-ramp', '4000ms', '--quiet', '--exit', '1']);
    // 10 s at min(2, 1.1) + 5 s at 0.5 = 13.5 CPU-s; memory ramped fully after 4 s.
    expect(modelUsage(plan, 15_000, 1.1)).toEqual({ cpuSeconds: 13.5, rssBytes: 100 * 1024 * 1024, throttledSeconds: 10 });
    expect(modelUsage(plan, 2000, 1.1).rssBytes).toBe(50 * 1024 * 1024);
  });
});
