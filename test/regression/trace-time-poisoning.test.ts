import { describe, expect, it } from 'vitest';
import { generateTrace } from '../../src/analysis/index.js';
import type { RecommendationDoc } from '../../src/model/index.js';
import { runCli } from '../support/cli.js';

// Issue 14 item 8: a trace line with `build.end: 8.64e15` (year 275760) became the default --now,
// so every job was "few_builds" and replay printed 100 % under-provisioning with exit 0;
// `request.cpu_cores: 1e300` gave Infinity savings and null waste. Out-of-range values are refused
// line by line, counted, with line numbers, and no output carries a null or a non-finite number.
const docs = generateTrace({ jobs: 4, buildsPerJob: 30, seed: 8 });
type Loose = { build: Record<string, unknown>; request: Record<string, unknown>; usage: { cpu: Record<string, unknown>; memory: Record<string, unknown> } };
function poisoned(): { text: string; badLines: number[] } {
  const lines = docs.map((d) => JSON.parse(JSON.stringify(d)) as Loose);
  const patches: Array<(d: Loose) => void> = [
    (d) => (d.build['end'] = 8.64e15),
    (d) => (d.request['cpu_cores'] = 1e300),
    (d) => (d.usage.memory['peak_bytes'] = -1),
    (d) => (d.usage.cpu['p95_cores'] = 'NaN'),
    (d) => (d.request['memory_bytes'] = 2 ** 70),
  ];
  const badLines = patches.map((patch, i) => {
    const at = 10 + i * 7;
    patch(lines[at]!);
    return at + 1;
  });
  return { text: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', badLines };
}

describe('regression: trace time-poisoning', () => {
  it('analyze --from refuses the out-of-range lines (counted, with line numbers) and stays finite', async () => {
    const { text, badLines } = poisoned();
    const r = await runCli(['analyze', '--from', '-', '--print', '--labels'], {}, text);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`skipped ${badLines.length} of ${docs.length} line(s)`);
    for (const n of badLines) expect(r.err).toContain(`line ${n}: RS_ERR_PARSE_SHAPE`);
    expect(r.out).not.toContain('null');
    const recs = r.out.trim().split('\n').map((l) => JSON.parse(l) as RecommendationDoc);
    expect(recs.filter((d) => d.workload.kind === 'jenkins.job')).toHaveLength(4);
    // --now defaults to the newest *valid* build end: the jobs keep their history.
    for (const d of recs.filter((x) => x.workload.kind === 'jenkins.job')) expect(d.reasons).not.toContain('few_builds');
    const waste = await runCli(['analyze', '--from', '-', '--print', '--waste'], {}, text);
    expect(waste.out).not.toContain('null');
    expect(waste.out).not.toMatch(/Infinity|NaN|e\+\d{3}/);
  });

  it('replay refuses them too and does not report 100 % under-provisioning', async () => {
    const { text, badLines } = poisoned();
    const r = await runCli(['replay', '--trace', '-', '--format', 'json', '--resamples', '10', '--policy', 'status_quo,ours'], {}, text);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`skipped ${badLines.length} of`);
    const out = JSON.parse(r.out) as { policies: Array<{ policy: string; memUpr: { value: number }; cpuVsStatusQuo: { value: number } }> };
    for (const p of out.policies) {
      expect(p.memUpr.value).toBeLessThan(0.5);
      expect(Number.isFinite(p.cpuVsStatusQuo.value)).toBe(true);
    }
  });
});
