import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../support/cli.js';
import { startSmtp } from '../../../support/smtp.js';

interface Ev {
  '@timestamp': string;
  rule: { id: string; name: string };
  alert: { group: string; value?: number; threshold?: number };
  event: { action: string };
  message: string;
}

const T0 = Date.parse('2026-11-23T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** 30 min of leader and queue documents every 10 s; CPU allocation 95 % for the first 15 min, then 50 %. */
function writeDocs(dir: string): string {
  const lines: string[] = [];
  for (let t = T0; t <= T0 + 30 * 60_000; t += 10_000) {
    const percent = t < T0 + 15 * 60_000 ? 0.95 : 0.5;
    lines.push(
      JSON.stringify({
        '@timestamp': iso(t),
        event: { dataset: 'mesos.master' },
        mesos: { master: { url: 'http://m:5050', elected: true }, cpus: { total: 10, used: percent * 10, percent }, mem: { percent: 0.3 }, agents: { inactive: 0 } },
      }),
    );
    lines.push(JSON.stringify({ '@timestamp': iso(t), event: { dataset: 'jenkins.queue' }, queue: { length: 0 } }));
  }
  lines.push('{not json');
  const file = join(dir, 'docs.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('rightsize alerts test --from', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-alerts-'));
  const file = writeDocs(dir);
  const env = { RIGHTSIZE_CONFIG: join(dir, 'none.yaml') };
  writeFileSync(join(dir, 'none.yaml'), '{}\n');

  it('with the default rules: CPU allocation fires after 10 min above 90 % and resolves once (values by hand)', async () => {
    const run = await runCli(['alerts', 'test', '--from', file, '--print'], env);
    expect(run.code).toBe(0);
    const events = run.out.trim().split('\n').map((l) => JSON.parse(l) as Ev);
    expect(events.map((e) => [e['@timestamp'], e.rule.id, e.event.action])).toEqual([
      // pending from the first evaluation (10:01), fired 10 min later.
      [iso(T0 + 11 * 60_000), 'cluster-cpu-allocation', 'fired'],
      // 10:16: the 2-min window (10:14, 10:16] holds 5 readings at 0.95 and 7 at 0.5: avg 0.6875.
      [iso(T0 + 16 * 60_000), 'cluster-cpu-allocation', 'resolved'],
    ]);
    const [fired, resolved] = events as [Ev, Ev];
    expect(fired.alert.group).toBe('');
    expect(fired.alert.threshold).toBe(0.9);
    expect(fired.alert.value).toBeCloseTo(0.95, 9);
    expect(resolved.alert.value).toBeCloseTo(0.6875, 9);
    expect(fired.rule.name).toBe('CPU allocation');
    expect(fired.message).toBe('CPU allocation firing: 95 % (threshold > 90 %). cluster CPU 95 % allocated (use of the running builds not measured).');
    expect(run.err).toContain('skipped 1 line(s)');
  });

  it('--rule keeps one rule; an unknown rule is a usage error', async () => {
    const one = await runCli(['alerts', 'test', '--from', file, '--rule', 'cluster-memory-allocation'], env);
    expect(one.code).toBe(0);
    expect(one.out).toBe('');
    const bad = await runCli(['alerts', 'test', '--from', file, '--rule', 'nope'], env);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('RS_ERR_CLI_USAGE');
  });

  it('configured rules replace the defaults; for, repeat and grouping come from the config', async () => {
    const cfg = join(dir, 'rules.yaml');
    writeFileSync(
      cfg,
      [
        'alerts:',
        '  rules:',
        '    - id: hot',
        '      kind: threshold',
        '      dataset: mesos.master',
        '      field: mesos.cpus.used',
        '      aggregation: max',
        "      comparator: '>='",
        '      threshold: 9.5',
        '      window: 1m',
        '      interval: 5m',
        '      repeatInterval: 5m',
        "      message: '{{rule}} {{status}} {{value}} {{labels.team}}'",
        '      labels: { team: ci }',
        '',
      ].join('\n'),
    );
    const run = await runCli(['alerts', 'test', '--from', file], { RIGHTSIZE_CONFIG: cfg });
    expect(run.code).toBe(0);
    const events = run.out.trim().split('\n').map((l) => JSON.parse(l) as Ev);
    // Evaluations every 5 min from 10:05; used is 9.5 until 10:15 (exclusive). The 1-min window (10:14, 10:15] still
    // holds 10:14:10..10:14:50 at 9.5: repeated at 10:15; (10:19, 10:20] is all 5: resolved at 10:20.
    expect(events.map((e) => `${e['@timestamp'].slice(11, 16)} ${e.event.action} ${e.message}`)).toEqual([
      '10:05 fired hot firing 9.5 ci',
      '10:10 repeated hot firing 9.5 ci',
      '10:15 repeated hot firing 9.5 ci',
      '10:20 resolved hot resolved 5 ci',
    ]);
  });

  it('a config problem names its path', async () => {
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'alerts:\n  rules:\n    - id: x\n      kind: threshold\n      dataset: mesos.master\n      threshold: 1\n      windw: 5m\n');
    const run = await runCli(['alerts', 'test', '--from', file], { RIGHTSIZE_CONFIG: cfg });
    expect(run.code).toBe(1);
    expect(run.err).toContain('/alerts/rules/0/windw');
  });

  it('--help describes the command', async () => {
    const run = await runCli(['alerts', 'test', '--help'], env);
    expect(run.code).toBe(0);
    expect(run.out).toContain('--from <documents.ndjson>');
  });

  it('--send delivers the grouped messages to a real SMTP server: one mail per round and receiver', async () => {
    const smtp = await startSmtp();
    try {
      const cfg = join(dir, 'send.yaml');
      writeFileSync(
        cfg,
        [
          'receivers:',
          '  mail:',
          '    email: { host: 127.0.0.1, port: ' + smtp.port + ', from: rightsize@example.com, to: [ops@example.com] }',
          'alerts:',
          '  defaultReceivers: [mail]',
          '',
        ].join('\n'),
      );
      const run = await runCli(['alerts', 'test', '--from', file, '--send'], { RIGHTSIZE_CONFIG: cfg });
      expect(run.err).not.toContain('error');
      expect(run.code).toBe(0);
      expect(run.out).toContain('2 message(s) delivered, 0 dropped');
      expect(smtp.mails.map((m) => m.subject)).toEqual(['[critical] cluster-cpu-allocation: firing', '[critical] cluster-cpu-allocation: resolved']);
      expect(smtp.mails[0]?.text).toContain('CPU allocation firing: 95 %');
    } finally {
      await smtp.close();
    }
  });

  it('a rule naming a receiver that is not configured is a config error with its path', async () => {
    const cfg = join(dir, 'norecv.yaml');
    writeFileSync(cfg, 'alerts:\n  defaultReceivers: [pager]\n');
    const run = await runCli(['alerts', 'test', '--from', file, '--send'], { RIGHTSIZE_CONFIG: cfg });
    expect(run.code).toBe(1);
    expect(run.err).toContain('/alerts/defaultReceivers/0');
  });
});
