import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SPECS } from '../../../src/alerts/index.js';
import { startEmulatedCluster, validateScenario, type RunningEmulator } from '../../../src/emulators/index.js';
import { installTemplates } from '../../../src/store/index.js';
import { firstInstant, type TimedValue } from '../../support/alertTiming.js';
import { dingtalkText, startDingtalkReceiver, type ChatReceiver } from '../../support/chatReceiver.js';
import { REPO_ROOT, testDockerHost, testEsUrl, testWorkloadImage } from '../../support/env.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';
import { pollUntil } from '../../support/poll.js';
import { startSmtp, type TestSmtp } from '../../support/smtp.js';

/**
 * End to end on the emulated Jenkins-on-Mesos cluster with its builds as real containers on the
 * real Docker engine (~2 min): `rightsize collect` (the built CLI, its own process) scrapes the
 * three emulated masters, the agent, Jenkins and the Docker engine into the real Elasticsearch; `rightsize alerts run` (the built
 * CLI) evaluates the default CPU-allocation rule (intervals scaled down: every 10 s, `for` 20 s,
 * window 15 s) and sends to a real SMTP server and a real DingTalk robot endpoint that verifies
 * the signature. Two builds queued with "Build Now" take 2 × 1.9 of the agent's 4 cpus (95 %)
 * while burning 0.3 cores each → exactly one email and one DingTalk message, ≤ 2 intervals after
 * the condition held for `for`, saying the capacity is reserved but idle and naming the job;
 * the builds aborted → exactly one resolve email and one resolve chat message.
 */

const INTERVAL_MS = 10_000;
const FOR_MS = 20_000;
/**
 * Longer than the documents take to become searchable (collect's 0.5 s bulk flush + the cluster
 * index's 5 s refresh_interval): a shorter window is often empty at evaluation time, and an
 * empty window counts as "condition not met", which restarts `for`.
 */
const WINDOW_MS = 15_000;
const THRESHOLD = 0.9;
const DING = { token: 'tok-e2e', secret: 'SEC-e2e-secret' };

const client = testEsClient();
const prefix = uniquePrefix('alerts-emu');
const dir = mkdtempSync(join(tmpdir(), 'rs-alerts-emu-'));
const procs: ChildProcess[] = [];
let em: RunningEmulator;
let smtp: TestSmtp;
let ding: ChatReceiver;
let metricsUrl = '';
let logs = '';

function cli(name: string, args: readonly string[], onStdout?: (line: string) => void): ChildProcess {
  const p = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rightsize.js'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout?.on('data', (d: Buffer) => {
    logs += `[${name}] ${d.toString()}`;
    for (const line of d.toString().split('\n')) onStdout?.(line);
  });
  p.stderr?.on('data', (d: Buffer) => (logs += `[${name}] ${d.toString()}`));
  procs.push(p);
  return p;
}

/** Evaluation rounds the alerts process has run (its /metrics). */
async function rounds(): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const m = /^rightsize_scheduled_job_runs_total\{job="alerts-1"\} (\d+)$/m.exec(text);
  if (!m) throw new Error(`no alerts-1 runs in /metrics:\n${text}`);
  return Number(m[1]);
}

async function afterTwoMoreRounds(): Promise<void> {
  const now = await rounds();
  await pollUntil('two more evaluation rounds', 4 * INTERVAL_MS + 10_000, async () => ((await rounds()) >= now + 2 ? true : undefined), 250);
}

/** The leader's `mesos.cpus.percent` documents the collector wrote, oldest first. */
async function leaderPercents(): Promise<TimedValue[]> {
  await client.indices.refresh({ index: `${prefix}-cluster-*` });
  const res = await client.search<{ '@timestamp': string; mesos?: { cpus?: { percent?: number } } }>({
    index: `${prefix}-cluster-*`,
    size: 2000,
    sort: [{ '@timestamp': 'asc' }],
    query: { bool: { filter: [{ term: { 'event.dataset': 'mesos.master' } }, { term: { 'mesos.master.elected': true } }, { exists: { field: 'mesos.cpus.percent' } }] } },
  });
  return res.hits.hits.map((h) => ({ atMs: Date.parse(h._source!['@timestamp']), value: h._source!.mesos!.cpus!.percent! }));
}

const above = (avg: number | undefined): boolean => avg !== undefined && avg > THRESHOLD;

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: build first (npx tsc -p tsconfig.build.json)');
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  smtp = await startSmtp();
  ding = await startDingtalkReceiver(DING);
  const scenario = validateScenario({
    name: 'alerts-e2e',
    seed: 10,
    mesos: { masters: 3, launchSeconds: 1 },
    agents: [{ count: 1, cpus: 4, memMb: 8192 }],
    // One build per agent asking 1.7 + 0.2 = 1.9 cpus and 1.1 × (512 + 128) = 704 MB.
    labels: [{ name: 'linux-2c', slaveCpus: 1.7, executorCpus: 0.2, slaveMem: 512, executorMem: 128, minExecutors: 1, maxExecutors: 1, singleUse: true, dockerImage: testWorkloadImage() }],
    // Arrives only when queued by the test; runs until aborted.
    jobs: [{ name: 'api-tests', label: 'linux-2c', ratePerHour: 0, firstBuildAfterSeconds: 1e9, duration: { kind: 'fixed', seconds: 3600 }, cpu: { kind: 'constant', cores: 0.3 }, memMb: 100, memRampSeconds: 1 }],
  });
  em = await startEmulatedCluster(scenario, { usage: 'docker', dockerHost: testDockerHost(), tickMs: 100 });
  expect(em.urls.mode).toBe('docker');

  const cpuRule = DEFAULT_RULE_SPECS.find((r) => r.id === 'cluster-cpu-allocation')!;
  const collectConfig = join(dir, 'collect.yaml');
  writeFileSync(
    collectConfig,
    JSON.stringify({
      elasticsearch: { url: testEsUrl(), indexPrefix: prefix, replicas: 0, bulk: { flushIntervalMs: 500 } },
      log: { level: 'warn' },
      mesos: { intervalMs: 1_000, timeoutMs: 1_000 },
      // The shared engine runs other people's containers too: their stats every second would swamp it.
      docker: { intervalMs: 5_000, timeoutMs: 5_000 },
      jenkins: { username: em.urls.jenkins.user, token: em.urls.jenkins.token, intervalMs: 1_000, timeoutMs: 1_000 },
    }),
  );
  const alertsConfig = join(dir, 'alerts.yaml');
  writeFileSync(
    alertsConfig,
    JSON.stringify({
      elasticsearch: { url: testEsUrl(), indexPrefix: prefix, replicas: 0 },
      log: { level: 'warn' },
      receivers: {
        mail: { email: { host: '127.0.0.1', port: smtp.port, from: 'rightsize <rightsize@example.com>', to: ['ops@example.com'] } },
        ding: { dingtalk: { url: `${ding.url}/robot/send?access_token=${DING.token}`, secretEnv: 'RS_E2E_DING_SECRET' } },
      },
      // The default rule, its timings scaled down.
      alerts: { defaultReceivers: ['mail', 'ding'], rules: [{ ...cpuRule, interval: INTERVAL_MS, for: FOR_MS, window: WINDOW_MS }] },
    }),
  );
  process.env['RS_E2E_DING_SECRET'] = DING.secret; // inherited by the alerts process
  cli('collect', [
    'collect',
    '--config',
    collectConfig,
    ...em.urls.masters.flatMap((m) => ['--mesos-master', m]),
    ...em.urls.agents.flatMap((a) => ['--mesos-agent', a]),
    '--jenkins-url',
    em.urls.jenkins.url,
    '--docker-host',
    em.urls.dockerHost!,
  ]);
  cli('alerts', ['alerts', 'run', '--config', alertsConfig, '--metrics-port', '0'], (line) => {
    const m = /metrics at (http:\/\/\S+\/metrics)/.exec(line);
    if (m) metricsUrl = m[1]!;
  });
  await pollUntil('the alerts process to serve /metrics', 60_000, () => Promise.resolve(metricsUrl || undefined), 200).catch((e: Error) => {
    throw new Error(`${e.message}\n${logs}`);
  });
}, 120_000);

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', r)))));
  delete process.env['RS_E2E_DING_SECRET'];
  await em?.stop();
  await smtp?.close();
  await ding?.close();
  await dropPrefix(client, prefix);
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerts end to end on the emulated cluster: collect → Elasticsearch → alerts run → SMTP + DingTalk', () => {
  it('builds take 95 % of the CPUs → one email and one chat message explaining reserved-but-idle; builds aborted → one resolve of each', async () => {
    // The collector's leader documents are in (allocation 0: nothing runs) and a round ran on them.
    await pollUntil('the leader documents of the collector', 60_000, async () => ((await leaderPercents()).length >= 3 ? true : undefined), 500).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs}`);
    });
    await afterTwoMoreRounds();
    expect(smtp.mails).toHaveLength(0);
    expect(ding.requests).toHaveLength(0);

    const loadedAtMs = Date.now();
    em.cluster.engine.queueBuilds('api-tests', 2);
    const mailsAndChats = (): Promise<true | undefined> => Promise.resolve(smtp.mails.length >= 1 && ding.accepted().length >= 1 ? true : undefined);
    await pollUntil('the firing email and chat message', FOR_MS + 4 * INTERVAL_MS + 30_000, mailsAndChats, 50).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs}`);
    });
    const running = em.cluster.engine.jobs.get('api-tests')!.builds.filter((b) => b.building);
    expect(running).toHaveLength(2);
    const docs = await leaderPercents();
    const start = firstInstant(docs, WINDOW_MS, loadedAtMs, above);
    expect(start, 'the documents show the allocation above 90 %').toBeDefined();
    const heldMs = start! + FOR_MS;
    const mailLatency = smtp.receivedAtMs[0]! - heldMs;
    const chatLatency = ding.accepted()[0]!.atMs - heldMs;
    console.log(
      `alerts e2e: builds queued ${new Date(loadedAtMs).toISOString()}, started ${new Date(running[0]!.startMs).toISOString()}; ` +
        `condition (avg over ${WINDOW_MS / 1000} s > ${THRESHOLD}) from ${new Date(start!).toISOString()}; for ${FOR_MS / 1000} s; interval ${INTERVAL_MS / 1000} s; ` +
        `email ${mailLatency} ms (${(mailLatency / INTERVAL_MS).toFixed(2)} intervals) and DingTalk ${chatLatency} ms (${(chatLatency / INTERVAL_MS).toFixed(2)} intervals) after the condition held for its for`,
    );
    expect(mailLatency).toBeGreaterThanOrEqual(0); // never before `for`
    expect(mailLatency).toBeLessThanOrEqual(2 * INTERVAL_MS);
    expect(chatLatency).toBeGreaterThanOrEqual(0);
    expect(chatLatency).toBeLessThanOrEqual(2 * INTERVAL_MS);

    const mail = smtp.mails[0]!;
    console.log(`alerts e2e: firing email text: ${mail.text ?? ''}`);
    expect(mail.subject).toBe('[critical] cluster-cpu-allocation: firing');
    // The explanation: 2 × 1.9 of 4 cpus allocated (95 %), 2 × ≤ 0.3 cores measured in use: the
    // capacity is reserved, not used; the job is named (its Docker readings carry JOB_NAME).
    const explanation = /cluster CPU 95 % allocated, \d+ % used by the running builds: reserved but idle; the 1 largest over-reservations: api-tests \d+(\.\d+)? cores \(2 builds, measured idle\)/;
    expect(mail.text).toMatch(/CPU allocation firing: 95 % \(threshold > 90 %\)/);
    expect(mail.text).toMatch(explanation);
    expect(mail.html).toMatch(explanation);
    const chat = ding.accepted()[0]!;
    expect(chat.json['msgtype']).toBe('markdown');
    const chatText = dingtalkText(chat);
    expect(chatText).toContain('cluster-cpu-allocation');
    // DingTalk markdown escapes the parentheses.
    expect(chatText).toMatch(/cluster CPU 95 % allocated, \d+ % used by the running builds: reserved but idle; the 1 largest over-reservations: api-tests \d+(\.\d+)? cores \\\(2 builds, measured idle\\\)/);

    // Still firing, nothing more is sent.
    await afterTwoMoreRounds();
    expect(smtp.mails).toHaveLength(1);
    expect(ding.requests).toHaveLength(1);

    // Capacity freed: the builds are aborted and their single-use agents go.
    const freedAtMs = Date.now();
    for (const b of running) em.cluster.engine.finishBuild({ job: b.job, number: b.number }, 'ABORTED');
    await pollUntil('the resolve email and chat message', WINDOW_MS + 4 * INTERVAL_MS + 30_000, () => Promise.resolve(smtp.mails.length >= 2 && ding.accepted().length >= 2 ? true : undefined), 50).catch(
      (e: Error) => {
        throw new Error(`${e.message}\n${logs}`);
      },
    );
    const end = firstInstant(await leaderPercents(), WINDOW_MS, freedAtMs, (avg) => !above(avg));
    expect(end).toBeDefined();
    console.log(
      `alerts e2e: resolve email ${smtp.receivedAtMs[1]! - end!} ms and DingTalk ${ding.accepted()[1]!.atMs - end!} ms after the condition ended (${new Date(end!).toISOString()})`,
    );
    expect(smtp.mails[1]!.subject).toBe('[critical] cluster-cpu-allocation: resolved');
    expect(dingtalkText(ding.accepted()[1]!)).toMatch(/resolved/);
    await afterTwoMoreRounds();
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[critical] cluster-cpu-allocation: firing', '[critical] cluster-cpu-allocation: resolved']);
    expect(ding.requests).toHaveLength(2);
    expect(ding.requests.every((r) => r.accepted)).toBe(true);
  }, 300_000);
});
