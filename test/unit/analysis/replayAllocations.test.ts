import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frontierCheck, frontierSvg, generateTrace, parseTrace, sweepName, toBuildRecord, toNdjson, type PolicyMetrics } from '../../../src/analysis/index.js';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rs-alloc-'));
const trace = join(dir, 'trace.ndjson');
const allocations = join(dir, 'alloc.ndjson');
writeFileSync(trace, toNdjson(generateTrace({ jobs: 12, buildsPerJob: 40, seed: 5 })));

interface AllocationLine {
  policy: string;
  job: string;
  build: number;
  cpu_cores: number;
  memory_bytes: number;
}

describe('replay --allocations and --sweep', () => {
  it('writes one line per policy and evaluated build; re-scoring the file gives the replay’s own under-provisioning counts', async () => {
    const r = await runCli(['replay', '--trace', trace, '--policy', 'status_quo,krr,vpa,ours', '--sweep', '0.8,1.2', '--format', 'json', '--resamples', '10', '--allocations', allocations]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { evalFromMs: number; policies: PolicyMetrics[] };
    const lines = readFileSync(allocations, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AllocationLine);
    const builds = new Map(parseTrace(readFileSync(trace, 'utf8')).builds.map((d) => toBuildRecord(d)).map((b) => [`${b.job}#${b.number}`, b]));
    const names = ['status_quo', 'krr', 'vpa', 'ours', sweepName(0.8), sweepName(1.2)];
    expect(out.policies.map((p) => p.policy)).toEqual(names);
    for (const m of out.policies) {
      const mine = lines.filter((l) => l.policy === m.policy);
      expect(mine).toHaveLength(m.builds);
      let cpuUnder = 0;
      let memUnder = 0;
      for (const l of mine) {
        const b = builds.get(`${l.job}#${l.build}`)!;
        expect(b.startMs).toBeGreaterThanOrEqual(out.evalFromMs);
        const p95 = b.cpuP95Cores ?? b.cpuMaxCores;
        if (p95 !== undefined && p95 > l.cpu_cores + 1e-9) cpuUnder++;
        if (b.oomKilled ? l.memory_bytes <= b.requestMemoryBytes! : (b.memoryPeakBytes ?? 0) > l.memory_bytes) memUnder++;
      }
      expect(cpuUnder).toBe(Math.round(m.cpuUpr.value * m.builds));
      expect(memUnder).toBe(Math.round(m.memUpr.value * m.builds));
    }
    // The sweep moves the knob: a lower margin reserves less.
    const at = (n: string): PolicyMetrics => out.policies.find((p) => p.policy === n)!;
    expect(at(sweepName(0.8)).cpuCoreHours).toBeLessThan(at(sweepName(1.2)).cpuCoreHours);
  });

  it('prints the whole cost first, then the ratios and the frontier verdicts', async () => {
    const r = await runCli(['replay', '--trace', trace, '--sweep', '--resamples', '10']);
    expect(r.code).toBe(0);
    const whole = r.out.indexOf('core-h total');
    expect(whole).toBeGreaterThan(0);
    expect(whole).toBeLessThan(r.out.indexOf('cpu/sq'));
    expect(r.out).toMatch(/^(PASS|FAIL) {2}frontier cpu vs krr/m);
    expect(r.out).toMatch(/^(PASS|FAIL) {2}frontier memory vs vpa/m);
    expect(r.out).toMatch(/^ours@margin=0\.9\s/m);
    const bad = await runCli(['replay', '--trace', trace, '--sweep', '0,x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--sweep');
  });
});

const metric = (policy: string, cpu: [number, number], mem: [number, number]): PolicyMetrics => {
  const iv = (v: number) => ({ value: v, lo: v, hi: v });
  return { policy, cpuVsStatusQuo: iv(cpu[0]), cpuUpr: iv(cpu[1]), memVsStatusQuo: iv(mem[0]), memUpr: iv(mem[1]) } as unknown as PolicyMetrics;
};

describe('frontierCheck', () => {
  it('passes a baseline only when one sweep point has no higher UPR at no higher cost', () => {
    const v = frontierCheck([
      metric('krr', [0.3, 0.05], [0.4, 0.01]),
      metric('vpa', [0.35, 0.03], [0.38, 0.02]),
      // Covers krr's CPU exactly (equal is allowed) and vpa's memory; nothing covers krr's memory or vpa's CPU.
      metric('ours@margin=0.8', [0.3, 0.05], [0.37, 0.015]),
      metric('ours@margin=1', [0.4, 0.01], [0.45, 0.012]),
    ]);
    const get = (r: string, b: string) => v.find((x) => x.resource === r && x.baseline.policy === b)!;
    expect(get('cpu', 'krr').pass).toBe(true);
    expect(get('cpu', 'vpa').pass).toBe(false);
    expect(get('cpu', 'vpa').witness?.policy).toBe('ours@margin=1');
    expect(get('memory', 'vpa').pass).toBe(true);
    expect(get('memory', 'krr').pass).toBe(false);
  });

  it('the SVG is a pure function of its points and escapes names', () => {
    const s = [{ name: 'a<b', line: true, color: '#000', points: [{ policy: 'ours@margin=1', cost: 0.4, upr: 0.01 }, { policy: 'ours@margin=0.8', cost: 0.3, upr: 0.05 }] }];
    const svg = frontierSvg('t', s);
    expect(svg).toBe(frontierSvg('t', s));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('<polyline');
  });
});
