import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/analysis/index.js';
import { policyFromConfig, pricesFromConfig, runPolicy } from '../../../src/cli/commands/analyze.js';
import { validateConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors/index.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function problemsOf(raw: unknown): { path: string; message: string }[] {
  try {
    validateConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config: analysis section', () => {
  it('defaults to DEFAULT_POLICY, with no prices', () => {
    const a = validateConfig({}).analysis;
    expect(a).toMatchObject({
      windowDays: 30,
      maxBuilds: 100,
      minBuilds: 5,
      decreaseEvidence: { fraction: 0.25, minBuilds: 10, minDays: 2 },
      cpu: { percentile: 0.95, headroom: 0.15, floorCores: 0.25, capCores: 16 },
      memory: { percentile: 0.99, headroom: 0.2, headroomBytes: '256MiB', floorBytes: '512MiB', capBytes: '64GiB' },
      splitBranchKind: false,
      labelPlan: { maxSizes: 4 },
    });
    expect(a.prices).toBeUndefined();
    expect(policyFromConfig(a)).toEqual(DEFAULT_POLICY);
    expect(pricesFromConfig(a)).toBeUndefined();
    expect(Object.isFrozen(a.decreaseEvidence)).toBe(true);
  });

  it('maps every key onto the policy (sizes as bytes or size strings) and leaves the other tunables alone', () => {
    const a = validateConfig({
      analysis: {
        windowDays: 14,
        maxBuilds: 50,
        minBuilds: 3,
        decreaseEvidence: { fraction: 0.4, minBuilds: 8, minDays: 1.5 },
        cpu: { percentile: 0.9, headroom: 0.3, floorCores: 0.5, capCores: 8 },
        memory: { percentile: 1, headroom: 0, headroomBytes: 0, floorBytes: '1g', capBytes: 32 * GiB },
        splitBranchKind: true,
        labelPlan: { maxSizes: 6 },
        prices: { perCoreHour: 0.04, perGibHour: 0.005, currency: 'EUR' },
      },
    }).analysis;
    const p = policyFromConfig(a);
    expect(p).toEqual({
      ...DEFAULT_POLICY,
      windowDays: 14,
      maxBuilds: 50,
      minBuilds: 3,
      bigDecreaseFraction: 0.4,
      bigDecreaseMinBuilds: 8,
      bigDecreaseMinDays: 1.5,
      splitBranchKind: true,
      cpu: { ...DEFAULT_POLICY.cpu, percentile: 0.9, headroom: 0.3, floor: 0.5, cap: 8 },
      memory: { ...DEFAULT_POLICY.memory, percentile: 1, headroom: 0, headroomAbsolute: 0, floor: 1024 * MiB, cap: 32 * GiB },
    });
    expect(pricesFromConfig(a)).toEqual({ perCoreHour: 0.04, perGibHour: 0.005, currency: 'EUR' });
    expect(pricesFromConfig(validateConfig({ analysis: { prices: { perCoreHour: 1, perGibHour: 2 } } }).analysis)).toEqual({ perCoreHour: 1, perGibHour: 2 });
  });

  it('flags override the config: --window and --split-branch-kind', () => {
    const a = validateConfig({ analysis: { windowDays: 14, splitBranchKind: false } }).analysis;
    expect(runPolicy(a, {}).windowDays).toBe(14);
    expect(runPolicy(a, { window: '7d', splitBranchKind: true })).toMatchObject({ windowDays: 7, splitBranchKind: true });
    // An absent flag never turns the configured branch split off.
    expect(runPolicy(validateConfig({ analysis: { splitBranchKind: true } }).analysis, {}).splitBranchKind).toBe(true);
  });

  it('rejects bad values with their paths, all at once', () => {
    const problems = problemsOf({
      analysis: {
        windowDays: 0,
        minBuilds: 0,
        cpu: { percentile: 0, headroom: -0.1 },
        memory: { percentile: 1.5 },
        decreaseEvidence: { fraction: 2 },
        labelPlan: { maxSizes: 0 },
        prices: { perCoreHour: -1, perGibHour: 1 },
        typo: 1,
      },
    });
    expect(problems.map((p) => p.path).sort()).toEqual([
      '/analysis/cpu/headroom',
      '/analysis/cpu/percentile',
      '/analysis/decreaseEvidence/fraction',
      '/analysis/labelPlan/maxSizes',
      '/analysis/memory/percentile',
      '/analysis/minBuilds',
      '/analysis/prices/perCoreHour',
      '/analysis/typo',
      '/analysis/windowDays',
    ]);
    expect(problemsOf({ analysis: { prices: { perCoreHour: 1 } } }).map((p) => p.path)).toEqual(['/analysis/prices/perGibHour']);
    expect(problemsOf({ analysis: { cpu: { extra: 1 } } }).map((p) => p.path)).toEqual(['/analysis/cpu/extra']);
  });

  it('rejects invalid combinations and sizes by key', () => {
    expect(problemsOf({ analysis: { cpu: { floorCores: 4, capCores: 2 } } })).toEqual([
      { path: '/analysis/cpu/floorCores', message: 'must not exceed analysis.cpu.capCores (2)' },
    ]);
    expect(problemsOf({ analysis: { memory: { floorBytes: '2g', capBytes: '1g' } } })).toEqual([
      { path: '/analysis/memory/floorBytes', message: `must not exceed analysis.memory.capBytes (${GiB} bytes)` },
    ]);
    expect(problemsOf({ analysis: { memory: { headroomBytes: 'lots' } } })[0]).toMatchObject({ path: '/analysis/memory/headroomBytes', message: expect.stringContaining('not a size') as unknown });
    expect(problemsOf({ analysis: { minBuilds: 20, maxBuilds: 10 } })[0]?.path).toBe('/analysis/minBuilds');
    expect(problemsOf({ analysis: { memory: { capBytes: 0, floorBytes: 0 } } })[0]?.path).toBe('/analysis/memory/capBytes');
  });
});
