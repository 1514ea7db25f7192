import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTrace, toNdjson } from '../../../../src/analysis/index.js';
import { runCli } from '../../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rs-report-'));
const trace = join(dir, 'builds.ndjson');
const docs = generateTrace({ jobs: 25, buildsPerJob: 40, seed: 21, days: 28, startMs: Date.parse('2026-10-26T00:00:00Z') });
writeFileSync(trace, toNdjson(docs));
const cfg = join(dir, 'rightsize.yaml');
writeFileSync(cfg, 'report:\n  topJobs: 5\nanalysis:\n  prices: { perCoreHour: 0.04, perGibHour: 0.005, currency: EUR }\n');

describe('rightsize report weekly --from', () => {
  it("prints the figures as JSON; the job rows are analyze's documents for the same instant", async () => {
    const r = await runCli(['report', 'weekly', '--from', trace, '--week', '2026-W47', '--format', 'json', '--config', cfg]);
    expect(r.code, r.err).toBe(0);
    const f = JSON.parse(r.out) as {
      week: string;
      as_of: string;
      totals: Record<string, { cpu_core_hours: number; memory_gib_hours: number }>;
      previous: { totals: Record<string, { cpu_core_hours: number; memory_gib_hours: number }> };
      jobs: { job: string; current: unknown; recommended: unknown; savings: { cpu_core_hours_per_week: number }; confidence: string }[];
      top_jobs: number;
    };
    expect(f.week).toBe('2026-W47');
    for (const k of ['reserved', 'used', 'waste']) {
      expect(typeof f.totals[k]!.cpu_core_hours).toBe('number');
      expect(typeof f.totals[k]!.memory_gib_hours).toBe('number');
      expect(typeof f.previous.totals[k]!.cpu_core_hours).toBe('number');
    }
    expect(f.top_jobs).toBe(5);
    const a = await runCli(['analyze', '--from', trace, '--print', '--format', 'json', '--now', f.as_of, '--config', cfg]);
    expect(a.code, a.err).toBe(0);
    const analyzed = a.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { workload: { key: string }; current: unknown; recommended: { cpu_cores?: number; memory_bytes?: number }; savings: unknown; confidence: string });
    expect(f.jobs).toHaveLength(analyzed.length);
    const byKey = new Map(analyzed.map((d) => [d.workload.key, d]));
    for (const j of f.jobs) {
      const d = byKey.get(j.job)!;
      expect(j.current).toEqual(d.current);
      expect(j.recommended).toEqual({ cpu_cores: d.recommended.cpu_cores, memory_bytes: d.recommended.memory_bytes });
      expect({ ...j.savings, cost_per_week: undefined }).toEqual({ ...(d.savings as object), cost_per_week: undefined });
      expect(j.confidence).toBe(d.confidence);
    }
    // Largest savings first.
    const s = f.jobs.map((j) => j.savings.cpu_core_hours_per_week);
    expect([...s].sort((x, y) => y - x)).toEqual(s);
  });

  it('--out writes the HTML, Markdown and CSV; reads .gz traces too', async () => {
    const gz = join(dir, 'builds.ndjson.gz');
    writeFileSync(gz, gzipSync(readFileSync(trace)));
    const out = join(dir, 'out');
    const r = await runCli(['report', 'weekly', '--from', gz, '--week', '2026-W47', '--out', out, '--config', cfg]);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['rightsize-weekly-2026-W47.csv', 'rightsize-weekly-2026-W47.html', 'rightsize-weekly-2026-W47.md']);
    expect(r.out).toBe(''); // --out without --format prints nothing
    const csv = readFileSync(join(out, 'rightsize-weekly-2026-W47.csv'), 'utf8');
    expect(csv.trimEnd().split('\r\n')).toHaveLength(1 + 25);
    expect(readFileSync(join(out, 'rightsize-weekly-2026-W47.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('rejects a bad week, format or zone with a coded error', async () => {
    const w = await runCli(['report', 'weekly', '--from', trace, '--week', '2026-W54']);
    expect(w.code).toBe(2);
    expect(w.err).toContain('RS_ERR_CLI_USAGE');
    const f = await runCli(['report', 'weekly', '--from', trace, '--format', 'pdf']);
    expect(f.err).toContain('--format must be html, md, csv or json');
    const zcfg = join(dir, 'tz.yaml');
    writeFileSync(zcfg, 'report:\n  timezone: Mars/Olympus\n');
    const z = await runCli(['report', 'weekly', '--from', trace, '--config', zcfg]);
    expect(z.code).toBe(1);
    expect(z.err).toContain('RS_ERR_CONFIG_INVALID');
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, 'not json\n{"also": "not a build"}\n');
    const b = await runCli(['report', 'weekly', '--from', bad]);
    expect(b.code).toBe(1);
    expect(b.err).toContain('RS_ERR_PARSE_SHAPE');
  });

  it('--send without receivers is a usage error', async () => {
    const r = await runCli(['report', 'weekly', '--from', trace, '--send']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/report\.receivers/);
  });
});

describe('rightsize report weekly --send (real SMTP server in process)', () => {
  it('mails the HTML report and the Markdown text to the email receivers of report.receivers', async () => {
    const { startSmtp } = await import('../../../support/smtp.js');
    const smtp = await startSmtp();
    try {
      const hostile = join(dir, 'hostile.ndjson');
      writeFileSync(hostile, toNdjson(docs.map((d) => (d.jenkins.job.name === docs[0]!.jenkins.job.name ? { ...d, jenkins: { ...d.jenkins, job: { name: '<script>alert(1)</script>' } } } : d))));
      const sendCfg = join(dir, 'send.yaml');
      writeFileSync(
        sendCfg,
        `report:\n  receivers: [leads]\nreceivers:\n  leads:\n    email:\n      host: 127.0.0.1\n      port: ${smtp.port}\n      from: rightsize@example.com\n      to: [lead@example.com]\n`,
      );
      const r = await runCli(['report', 'weekly', '--from', hostile, '--week', '2026-W47', '--send', '--out', join(dir, 'sent'), '--config', sendCfg]);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain('sent weekly:2026-W47 to leads');
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!;
      expect(smtp.recipients).toEqual([['lead@example.com']]);
      expect(mail.subject).toContain('rightsize weekly report 2026-W47');
      const html = mail.html as string;
      expect(html).toBe(readFileSync(join(dir, 'sent', 'rightsize-weekly-2026-W47.html'), 'utf8'));
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>');
      expect(mail.text).toContain('## 1. Reserved vs used');
    } finally {
      await smtp.close();
    }
  });

  it('an unknown receiver name is a coded error before anything is read', async () => {
    const c = join(dir, 'unknown.yaml');
    writeFileSync(c, 'report:\n  receivers: [nobody]\n');
    const r = await runCli(['report', 'weekly', '--from', join(dir, 'missing.ndjson'), '--send', '--config', c]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('RS_ERR_NOTIFY_RECEIVER_UNKNOWN');
  });
});
