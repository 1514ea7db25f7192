import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecommendationDoc } from '../../../src/model/index.js';
import { parseTrace } from '../../../src/analysis/index.js';
import { runCli } from '../../support/cli.js';

const run = (args: string[]): ReturnType<typeof runCli> => runCli(args);

const dir = mkdtempSync(join(tmpdir(), 'rs-analysis-'));
const trace = join(dir, 'trace.ndjson');

describe('rightsize trace generate / replay / analyze', () => {
  it('generates a seeded trace', async () => {
    const r = await run(['trace', 'generate', '--jobs', '14', '--builds-per-job', '30', '--seed', '9', '--out', trace]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('wrote 420 builds documents');
    const parsed = parseTrace(readFileSync(trace, 'utf8'));
    expect(parsed.builds).toHaveLength(420);
    expect(parsed.problems).toEqual([]);
  });

  it('replays policies as JSON with the status quo at ratio 1', async () => {
    const r = await run(['replay', '--trace', trace, '--policy', 'status_quo,ours,krr', '--format', 'json', '--resamples', '50']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { policies: Array<{ policy: string; cpuVsStatusQuo: { value: number } }> };
    expect(j.policies.map((p) => p.policy)).toEqual(['status_quo', 'ours', 'krr']);
    expect(j.policies[0]!.cpuVsStatusQuo.value).toBe(1);
    expect(j.policies[1]!.cpuVsStatusQuo.value).toBeLessThan(1);
  });

  it('prints a replay table and rejects unknown policies with a coded error', async () => {
    const t = await run(['replay', '--trace', trace, '--resamples', '20']);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^policy\s+cpu\/sq/m);
    expect(t.out).toMatch(/^oracle_static\s/m);
    const bad = await run(['replay', '--trace', trace, '--policy', 'ours,magic']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('RS_ERR_CLI_USAGE');
    expect(bad.err).toContain('magic');
  });

  it('analyze --from --print emits recommendation documents as NDJSON', async () => {
    const r = await run(['analyze', '--from', trace, '--print']);
    expect(r.code).toBe(0);
    const docs = r.out.trim().split('\n').map((l) => JSON.parse(l) as RecommendationDoc);
    expect(docs).toHaveLength(14);
    for (const d of docs) {
      expect(d.workload.kind).toBe('jenkins.job');
      expect(d.recommended.cpu_cores).toBeGreaterThan(0);
    }
  });

  it('analyze --format table sorts by savings; csv has a header', async () => {
    const r = await run(['analyze', '--from', trace, '--print', '--format', 'table']);
    const rows = r.out.trim().split('\n').slice(2);
    const savings = rows.map((l) => Number(l.trim().split(/\s+/)[6]?.replace(/^-$/, '0')));
    expect(savings.every((s, i) => i === 0 || savings[i - 1]! >= s)).toBe(true);
    const c = await run(['analyze', '--from', trace, '--print', '--format', 'csv', '--labels']);
    expect(c.out.split('\r\n')[0]).toBe('workload,kind,cpu_now,cpu_rec,mem_now_gib,mem_rec_gib,save_core_h_wk,save_gib_h_wk,confidence,severity,builds,reasons');
    expect(c.out).toContain('jenkins.label');
  });

  it('analyze --window narrows the history and rejects garbage', async () => {
    const wide = await run(['analyze', '--from', trace, '--print']);
    const narrow = await run(['analyze', '--from', trace, '--print', '--window', '7d']);
    const builds = (out: string) => out.trim().split('\n').reduce((s, l) => s + (JSON.parse(l) as RecommendationDoc).basis.builds, 0);
    expect(builds(narrow.out)).toBeLessThan(builds(wide.out));
    expect((JSON.parse(narrow.out.split('\n')[0]!) as RecommendationDoc).basis.window_days).toBe(7);
    const bad = await run(['analyze', '--from', trace, '--print', '--window', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--window');
  });

  it('analyze --plan prints mesos-plugin JCasC on stdout and the moves on stderr', async () => {
    const r = await run(['analyze', '--from', trace, '--print', '--plan', '2']);
    expect(r.code).toBe(0);
    // analysis.labels.pluginVersion defaults to '1' (the data model's 1.1 × mem): the 1.x keys.
    expect(r.out).toContain('slaveInfos:');
    expect(r.out.match(/- labelString: rs-/g)?.length).toBeLessThanOrEqual(2);
    expect(r.out).not.toContain('#');
    expect(r.err).toContain('jobs to move');
  });

  it('analyze without --from reads Elasticsearch; an unreachable one is a coded error naming the URL', async () => {
    const cfg = join(dir, 'dead-es.yaml');
    writeFileSync(cfg, 'elasticsearch:\n  url: http://127.0.0.1:1\n  requestTimeoutMs: 2000\n');
    const r = await run(['analyze', '--config', cfg]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('RS_ERR_STORE_UNREACHABLE');
    expect(r.err).toContain('http://127.0.0.1:1');
  });

  it('skips and reports bad trace lines; an all-bad trace is a coded error', async () => {
    const mixed = join(dir, 'mixed.ndjson');
    const lines = readFileSync(trace, 'utf8').split('\n').slice(0, 60);
    lines.splice(3, 0, '{"broken":');
    writeFileSync(mixed, lines.join('\n'));
    const r = await run(['analyze', '--from', mixed, '--print']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('skipped 1 of 61 line(s)');
    expect(r.err).toContain('line 4: RS_ERR_PARSE_JSON');
    const allBad = join(dir, 'bad.ndjson');
    writeFileSync(allBad, 'nope\n{"a":1}\n');
    const b = await run(['analyze', '--from', allBad, '--print']);
    expect(b.code).toBe(1);
    expect(b.err).toContain('RS_ERR_PARSE_SHAPE');
    const missing = await run(['replay', '--trace', join(dir, 'missing.ndjson')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot read trace');
  });
});
