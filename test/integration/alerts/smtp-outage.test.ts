import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexName, installTemplates } from '../../../src/store/index.js';
import { REPO_ROOT, testEsUrl } from '../../support/env.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';
import { pollUntil } from '../../support/poll.js';
import { startSmtp, type TestSmtp } from '../../support/smtp.js';

/**
 * The SMTP server is down for 2 minutes while an alert fires, through a real `rightsize alerts
 * run` process (~2.5 min): the firing email is not lost and not duplicated; it arrives once,
 * within the receiver's longest retry wait after the server is back on the same port. Every
 * failed attempt is an alert event `notify_failed` (notifier mail), the delivery one `fired`
 * event with notifier mail, nothing is dropped. Rounds every 1 s, `for` 2 s; the receiver
 * retries after 1 s, doubling up to 3 s, so the retry after the outage comes promptly.
 */

const OUTAGE_MS = 120_000;
const RETRY_MAX_MS = 3_000;

const client = testEsClient();
const prefix = uniquePrefix('alerts-smtp-down');
const dir = mkdtempSync(join(tmpdir(), 'rs-alerts-smtp-down-'));
let proc: ChildProcess | undefined;
let smtp: TestSmtp | undefined;
let port = 0;
let percent = 0.5;
let writer: NodeJS.Timeout | undefined;
let metricsUrl = '';
let logs = '';

interface EventDoc {
  '@timestamp': string;
  event: { action: string };
  notifier?: string;
  message?: string;
  rule: { id: string };
}

async function events(): Promise<EventDoc[]> {
  await client.indices.refresh({ index: `${prefix}-alert-events-*`, ignore_unavailable: true, allow_no_indices: true });
  const res = await client.search<EventDoc>({ index: `${prefix}-alert-events-*`, ignore_unavailable: true, allow_no_indices: true, size: 1000, sort: [{ '@timestamp': 'asc' }] });
  return res.hits.hits.map((h) => h._source!);
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const m = new RegExp(`^${name}\\{[^}]*receiver="mail"[^}]*\\} (\\d+)$`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} for mail in /metrics`);
  return Number(m[1]);
}

async function writeLeaderDoc(): Promise<void> {
  const t = Date.now();
  await client.index({
    index: indexName(prefix, 'cluster', t),
    document: { '@timestamp': new Date(t).toISOString(), event: { dataset: 'mesos.master' }, mesos: { master: { url: 'http://m:5050', elected: true }, cpus: { total: 8, used: 8 * percent, percent } } },
    refresh: true,
  });
}

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: build first (npx tsc -p tsconfig.build.json)');
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  smtp = await startSmtp();
  port = smtp.port;
  const config = join(dir, 'rightsize.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      elasticsearch: { url: testEsUrl(), indexPrefix: prefix, replicas: 0 },
      log: { level: 'warn' },
      receivers: { mail: { email: { host: '127.0.0.1', port, from: 'rightsize <rightsize@example.com>', to: ['ops@example.com'] }, timeoutMs: 5_000, retryBaseMs: 1_000, retryMaxMs: RETRY_MAX_MS } },
      alerts: {
        defaultReceivers: ['mail'],
        rules: [
          { id: 'cpu-allocation', kind: 'threshold', dataset: 'mesos.master', filter: { 'mesos.master.elected': true }, field: 'mesos.cpus.percent', threshold: 0.9, window: '2s', interval: '1s', for: '2s', severity: 'critical' },
        ],
      },
    }),
  );
  await writeLeaderDoc();
  writer = setInterval(() => void writeLeaderDoc().catch(() => undefined), 500);
  proc = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rightsize.js'), 'alerts', 'run', '--config', config, '--metrics-port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => {
    logs += d.toString();
    const m = /metrics at (http:\/\/\S+\/metrics)/.exec(d.toString());
    if (m) metricsUrl = m[1]!;
  });
  proc.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
  await pollUntil('the alerts process to serve /metrics', 60_000, () => Promise.resolve(metricsUrl || undefined), 200).catch((e: Error) => {
    throw new Error(`${e.message}\n${logs}`);
  });
}, 90_000);

afterAll(async () => {
  if (writer) clearInterval(writer);
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGTERM');
    await new Promise((r) => proc!.once('exit', r));
  }
  await smtp?.close();
  await dropPrefix(client, prefix);
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rightsize alerts run through a 2-minute SMTP outage', () => {
  it('the firing email is delayed, then delivered exactly once after the server returns; the failed attempts are on record', async () => {
    await smtp!.close();
    smtp = undefined;
    const downAtMs = Date.now();
    percent = 0.95;

    await pollUntil('the first failed delivery attempt', 30_000, async () => ((await metric('rightsize_notifications_failed_attempts_total')) >= 1 ? true : undefined), 250).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs}`);
    });
    const fired = (await events()).filter((e) => e.event.action === 'fired' && e.notifier === undefined);
    expect(fired).toHaveLength(1);
    const firedAtMs = Date.parse(fired[0]!['@timestamp']);

    // The outage lasts 120 s; all along the mail stays queued (not dropped) and is retried.
    const seen: Array<{ queued: number; dropped: number }> = [];
    await pollUntil(
      `${OUTAGE_MS / 1000} s of SMTP outage`,
      OUTAGE_MS + 10_000,
      async () => {
        seen.push({ queued: await metric('rightsize_notifications_queued'), dropped: await metric('rightsize_notifications_dropped_total') });
        return Date.now() - downAtMs >= OUTAGE_MS ? true : undefined;
      },
      1_000,
    );
    expect(seen.length).toBeGreaterThan(60);
    expect(seen.filter((s) => s.queued !== 1 || s.dropped !== 0)).toEqual([]);
    const failedDuringOutage = await metric('rightsize_notifications_failed_attempts_total');
    // Attempts 1 s, 2 s, then ≤ 3 s apart (jittered down to half): well over 20 in ~115 s.
    expect(failedDuringOutage).toBeGreaterThanOrEqual(20);

    smtp = await startSmtp({ port });
    const upAtMs = Date.now();
    const back = smtp;
    await pollUntil('the delayed email', 30_000, () => Promise.resolve(back.mails.length > 0 ? true : undefined), 50).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs}`);
    });
    const afterUpMs = back.receivedAtMs[0]! - upAtMs;
    console.log(
      `smtp outage: down ${new Date(downAtMs).toISOString()}, alert fired ${new Date(firedAtMs).toISOString()}, server back after ${((upAtMs - downAtMs) / 1000).toFixed(1)} s, ` +
        `${failedDuringOutage} failed attempts during the outage; the email arrived ${afterUpMs} ms after the server returned (${((back.receivedAtMs[0]! - firedAtMs) / 1000).toFixed(1)} s after it was due)`,
    );
    // The next attempt comes at most retryMaxMs after the last failure (+ the attempt and the machine's load).
    expect(afterUpMs).toBeLessThan(RETRY_MAX_MS + 5_000);
    expect(back.mails[0]!.subject).toBe('[critical] cpu-allocation: firing');

    // The delivery is recorded; later rounds send nothing more.
    await pollUntil('the delivery event', 30_000, async () => ((await events()).some((e) => e.event.action === 'fired' && e.notifier === 'mail') ? true : undefined), 250);
    await pollUntil('the recorded events to match the counters', 30_000, async () => {
      const failed = (await events()).filter((e) => e.event.action === 'notify_failed').length;
      return failed === (await metric('rightsize_notifications_failed_attempts_total')) ? true : undefined;
    }, 250);
    const roundsText = async (): Promise<number> => Number(/^rightsize_scheduled_job_runs_total\{job="alerts-1"\} (\d+)$/m.exec(await (await fetch(metricsUrl)).text())?.[1] ?? NaN);
    const r0 = await roundsText();
    await pollUntil('three more rounds', 30_000, async () => ((await roundsText()) >= r0 + 3 ? true : undefined), 250);
    expect(back.mails).toHaveLength(1);

    const all = await events();
    const failures = all.filter((e) => e.event.action === 'notify_failed');
    expect(failures.length).toBeGreaterThanOrEqual(failedDuringOutage);
    expect(failures.every((e) => e.notifier === 'mail' && e.rule.id === 'cpu-allocation' && /^fired: /.test(e.message ?? ''))).toBe(true);
    // Every failure happened while the server was down (an attempt in flight at the restart may end just after it).
    expect(failures.every((e) => Date.parse(e['@timestamp']) >= firedAtMs && Date.parse(e['@timestamp']) <= upAtMs + 1_000)).toBe(true);
    const deliveries = all.filter((e) => e.event.action === 'fired' && e.notifier === 'mail');
    expect(deliveries).toHaveLength(1);
    expect(Date.parse(deliveries[0]!['@timestamp'])).toBeGreaterThanOrEqual(upAtMs);
    expect(all.filter((e) => e.event.action === 'dropped')).toEqual([]);
    expect(all.filter((e) => e.event.action === 'fired' && e.notifier === undefined)).toHaveLength(1);
  }, 240_000);
});
