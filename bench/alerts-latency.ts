/**
 * Goal check of issue 10: "the notification reaches the SMTP server ≤ 2 evaluation intervals
 * after the condition has held for its `for`", at the DEFAULT evaluation interval.
 *
 * Runs a real `rightsize alerts run` process (the built CLI) on the local Elasticsearch with the
 * default CPU-allocation rule (`cluster-cpu-allocation` of DEFAULT_RULE_SPECS: avg of
 * `mesos.cpus.percent` of the leader's `mesos.master` documents over 2 min > 0.9) at the default
 * `alerts.defaultInterval` (no `interval` key), with only its `for` shortened (`--for`, default
 * 1m; the default rule's own is 10m) so the run takes minutes, not a quarter of an hour. A real
 * SMTP server (smtp-server + mailparser) receives the mails. The bench writes a leader document
 * every 10 s (collect's default mesos.intervalMs), without refresh (the cluster index's own 5 s
 * refresh_interval applies, as for the collector's documents): 0.85 for 30 s, then 0.95 until the
 * firing mail arrived, then 0.5 until the resolve mail arrived.
 *
 * The condition start is computed from the documents written (the first instant the 2 min
 * average exceeds 0.9); latency = mail arrival − (condition start + for), in ms and in
 * intervals; PASS when ≤ 2 intervals. The resolve latency is measured from the first instant the
 * average is no longer above the threshold.
 *
 * Run (after `npx tsc -p tsconfig.build.json`):
 *   RIGHTSIZE_TEST_ES_URL=http://127.0.0.1:9410 npx tsx bench/alerts-latency.ts [--for 1m] [--keep]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULE_SPECS, intervalMsOf } from '../src/alerts/index.js';
import { rulesFromConfig } from '../src/alerts/service/index.js';
import { validateConfig } from '../src/config/index.js';
import { createEsClient, indexName, installTemplates } from '../src/store/index.js';
import { firstInstant, type TimedValue } from '../test/support/alertTiming.js';
import { REPO_ROOT, testEsUrl } from '../test/support/env.js';
import { pollUntil } from '../test/support/poll.js';
import { startSmtp } from '../test/support/smtp.js';
import { cleanUpBench } from './cleanup.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const FOR = arg('--for', '1m');
const DOC_EVERY_MS = 10_000;
const BASELINE_MS = 30_000;
const prefix = `bench-alerts-latency-${Date.now().toString(36)}`;
const client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 60_000 });
const dir = mkdtempSync(join(tmpdir(), 'rs-alerts-latency-'));
const iso = (ms: number): string => new Date(ms).toISOString();
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: build first (npx tsc -p tsconfig.build.json)');
  const base = DEFAULT_RULE_SPECS.find((r) => r.id === 'cluster-cpu-allocation');
  if (!base) throw new Error('no default rule cluster-cpu-allocation');
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const smtp = await startSmtp();
  const raw = {
    elasticsearch: { url: testEsUrl(), indexPrefix: prefix, replicas: 0 },
    log: { level: 'warn' },
    receivers: { mail: { email: { host: '127.0.0.1', port: smtp.port, from: 'rightsize <rightsize@example.com>', to: ['ops@example.com'] } } },
    // The default rule exactly, `for` shortened; no interval: alerts.defaultInterval applies.
    alerts: { defaultReceivers: ['mail'], rules: [{ ...base, for: FOR }] },
  };
  const rule = rulesFromConfig(validateConfig(raw).alerts)[0]!;
  const intervalMs = intervalMsOf(rule) ?? NaN;
  const forMs = rule.forMs;
  const threshold = rule.threshold as number;
  const config = join(dir, 'rightsize.yaml');
  writeFileSync(config, JSON.stringify(raw, null, 2)); // JSON is YAML

  const written: TimedValue[] = [];
  let percent = 0.85;
  const write = async (): Promise<void> => {
    const t = Date.now();
    written.push({ atMs: t, value: percent });
    await client.index({
      index: indexName(prefix, 'cluster', t),
      document: { '@timestamp': iso(t), event: { dataset: 'mesos.master' }, mesos: { master: { url: 'http://m:5050', elected: true }, cpus: { total: 64, used: 64 * percent, percent } } },
    });
  };
  await write();
  const writer = setInterval(() => void write().catch((e: Error) => console.error(`write failed: ${e.message}`)), DOC_EVERY_MS);
  let logs = '';
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rightsize.js'), 'alerts', 'run', '--config', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  try {
    console.log(`rule ${rule.id}: avg ${rule.field} over ${secs(rule.windowMs)} ${rule.comparator} ${threshold}; interval ${secs(intervalMs)} (alerts.defaultInterval), for ${secs(forMs)} (default rule: ${base.for}); documents every ${secs(DOC_EVERY_MS)}`);
    await pollUntil('the baseline', BASELINE_MS + 5_000, () => Promise.resolve(Date.now() - written[0]!.atMs >= BASELINE_MS ? true : undefined), 250);
    percent = 0.95;
    const flipMs = Date.now();
    await pollUntil('the firing mail', forMs + 4 * intervalMs + rule.windowMs + 60_000, () => Promise.resolve(smtp.mails.length > 0 ? true : undefined), 50).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs}`);
    });
    const firedAtMs = smtp.receivedAtMs[0]!;
    percent = 0.5;
    const unflipMs = Date.now();
    await pollUntil('the resolve mail', rule.windowMs + 4 * intervalMs + 60_000, () => Promise.resolve(smtp.mails.length > 1 ? true : undefined), 50).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs}`);
    });
    const resolvedAtMs = smtp.receivedAtMs[1]!;
    clearInterval(writer);

    const above = (avg: number | undefined): boolean => avg !== undefined && avg > threshold;
    const start = firstInstant(written, rule.windowMs, flipMs, above);
    const end = firstInstant(written, rule.windowMs, unflipMs, (avg) => !above(avg));
    if (start === undefined || end === undefined) throw new Error('the documents never met (or never left) the condition');
    const heldMs = start + forMs;
    const fireLatency = firedAtMs - heldMs;
    const resolveLatency = resolvedAtMs - end;
    const fmt = (ms: number): string => `${ms} ms = ${(ms / intervalMs).toFixed(2)} intervals`;
    console.log(`subjects: ${smtp.mails.map((m) => JSON.stringify(m.subject)).join(', ')}`);
    console.log(`allocation raised at ${iso(flipMs)}; condition start (2 min avg > ${threshold}, from the documents) ${iso(start)}`);
    console.log(`for ${secs(forMs)} → held for its for at ${iso(heldMs)}; interval ${secs(intervalMs)}`);
    console.log(`firing mail at the SMTP server ${iso(firedAtMs)}: latency after for ${fmt(fireLatency)}`);
    console.log(`allocation lowered at ${iso(unflipMs)}; condition end ${iso(end)}; resolve mail ${iso(resolvedAtMs)}: latency ${fmt(resolveLatency)}`);
    console.log(`mails: ${smtp.mails.length} (expected 2); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`goal firing ≤ 2 intervals after for: ${fireLatency <= 2 * intervalMs ? 'PASS' : 'FAIL'}; resolve ≤ 2 intervals after the condition ended: ${resolveLatency <= 2 * intervalMs ? 'PASS' : 'FAIL'}`);
    if (smtp.mails.length !== 2 || fireLatency > 2 * intervalMs) process.exitCode = 1;
  } finally {
    clearInterval(writer);
    proc.kill('SIGTERM');
    await new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve())));
    await smtp.close();
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (process.argv.includes('--keep')) {
      await client.close();
      return;
    }
    await cleanUpBench(client, prefix, dir);
  });
