import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, generateTrace } from '../../../src/analysis/index.js';
import { analyzeFromStore } from '../../../src/analysis/service/index.js';
import type { AgentDoc, BuildDoc, ClusterDoc, ContainerDoc, Sample } from '../../../src/model/index.js';
import { asOfMs, figuresFromBuilds, renderReport, weekRange, type WeeklyFigures } from '../../../src/reports/index.js';
import { ElasticsearchReportSink, lastCompleteWeek, weeklyFromStore } from '../../../src/reports/service/index.js';
import { scheduleWeeklyReport } from '../../../src/cli/commands/report.js';
import { validateConfig } from '../../../src/config/index.js';
import { weekLabel } from '../../../src/reports/weekly/index.js';
import { silentLogger } from '../../../src/util/index.js';
import { pollUntil } from '../../support/poll.js';
import { createEsClient, ElasticsearchSink, installTemplates } from '../../../src/store/index.js';
import { runCli } from '../../support/cli.js';
import { testEsUrl } from '../../support/env.js';
import { dropPrefix, uniquePrefix } from '../../support/es.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GiB = 1024 ** 3;
const prefix = uniquePrefix('report');
const W47 = { year: 2026, week: 47 };
const week = weekRange(W47, 'UTC');
const HOSTILE = '<script>alert(1)</script>';
let client: Client;

// Builds over the five weeks up to the end of W47; one job renamed to a hostile name.
const builds: BuildDoc[] = generateTrace({ jobs: 40, buildsPerJob: 30, seed: 8, days: 34, startMs: week.endMs - 35 * DAY })
  .filter((d) => d.build.end < week.endMs)
  .map((d) => (d.jenkins.job.name.endsWith('-0') ? { ...d, jenkins: { ...d.jenkins, job: { name: HOSTILE } } } : d));

// Mesos master every hour of the 28 days before the week's end: 100 cores, allocation growing 1 core a day (peak +5 at 12:00).
const masters: ClusterDoc[] = [];
for (let t = week.endMs - 28 * DAY; t < week.endMs; t += HOUR) {
  const day = Math.floor((t - (week.endMs - 28 * DAY)) / DAY);
  const noon = new Date(t).getUTCHours() === 12 ? 5 : 0;
  masters.push({
    '@timestamp': new Date(t).toISOString(),
    event: { dataset: 'mesos.master' },
    mesos: { master: { url: 'http://m1:5050', elected: true }, cpus: { total: 100, used: 40 + day + noon }, mem: { total_bytes: 400 * GiB, used_bytes: (100 + day) * GiB } },
  });
}
// Two agents report every 10 min; agent-b stops on Thursday of W47.
const agents: AgentDoc[] = [];
for (let t = week.startMs; t < week.endMs; t += 10 * 60_000)
  for (const id of ['agent-a', 'agent-b'])
    if (id === 'agent-a' || t < week.startMs + 3 * DAY)
      agents.push({ '@timestamp': new Date(t).toISOString(), event: { dataset: 'mesos.agent' }, mesos: { agent: { id, hostname: `${id}.example`, active: true } } });
// Container readings in 100 of the week's 168 hours.
const containers: ContainerDoc[] = [];
for (let h = 0; h < 100; h++)
  containers.push({ '@timestamp': new Date(week.startMs + h * HOUR + 60_000).toISOString(), event: { dataset: 'docker.container' }, host: { name: 'agent-a' }, container: { id: `c${h}` }, cpu: { cores: 0.5 } });

beforeAll(async () => {
  client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 60_000 });
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const sink = new ElasticsearchSink({
    client,
    prefix,
    bulk: { flushBytes: 2_000_000, flushIntervalMs: 200, concurrency: 2, retries: 3, retryBackoffMs: 100, bufferMaxDocs: 100_000 },
  });
  const samples: Sample[] = [
    ...builds.map((doc) => ({ kind: 'build' as const, doc })),
    ...masters.map((doc) => ({ kind: 'cluster' as const, doc })),
    ...agents.map((doc) => ({ kind: 'agent' as const, doc })),
    ...containers.map((doc) => ({ kind: 'container' as const, doc })),
  ];
  sink.write(samples);
  await sink.forceFlush(120_000);
  expect(sink.stats().indexed).toBe(samples.length);
  await sink.shutdown();
  await client.indices.refresh({ index: `${prefix}-*` });
  // The recommendations the report reads: what `rightsize analyze` writes as of the end of the week.
  await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs: asOfMs(week.endMs), marathonApps: false });
}, 300_000);

afterAll(async () => {
  await dropPrefix(client, prefix);
  await client.close();
});

describe('the weekly report from Elasticsearch', () => {
  let f: WeeklyFigures;
  beforeAll(async () => {
    f = (await weeklyFromStore({ client, prefix, url: testEsUrl(), week: W47, timeZone: 'UTC', policy: DEFAULT_POLICY, planK: 4, generatedAtMs: week.endMs + HOUR, pageSize: 100 })).figures;
  });

  it('has the same totals and job rows as the report from the same builds as a trace', () => {
    const offline = figuresFromBuilds(builds, { week: W47, timeZone: 'UTC', policy: DEFAULT_POLICY, planK: 4, generatedAtMs: week.endMs + HOUR });
    expect(f.totals).toEqual(offline.totals);
    expect(f.previous.totals).toEqual(offline.previous.totals);
    expect(f.totals.builds).toBeGreaterThan(100);
    const strip = (j: WeeklyFigures['jobs'][number]) => ({ ...j, move_to: undefined });
    expect(f.jobs.map(strip)).toEqual(offline.jobs.map(strip));
    expect(f.jobs.some((j) => j.job === HOSTILE)).toBe(true);
    expect(f.labels.map((l) => [l.label, l.builds, l.queue_wait_p95_ms])).toEqual(offline.labels.map((l) => [l.label, l.builds, l.queue_wait_p95_ms]));
    expect(f.at_risk.map((r) => r.job)).toEqual(offline.at_risk.map((r) => r.job));
    expect(f.plan?.labels.length).toBeGreaterThan(0);
  });

  it('reads allocation, its trend, silent agents and collection gaps from the collectors\' documents', () => {
    expect(f.cluster.cpu_total_cores).toBe(100);
    // The week is days 21..27 of the ramp: hourly 61..67, mean 64 plus 5 × 1/24 at noon.
    expect(f.cluster.cpu_allocated_cores).toBeCloseTo(64 + 5 / 24, 2);
    expect(f.cluster.cpu_allocated_peak_cores).toBe(67 + 5);
    expect(f.forecast.days).toHaveLength(28);
    expect(f.forecast.cpu.series[0]).toBe(45);
    expect(f.forecast.cpu.slope_per_day).toBeCloseTo(1, 6);
    // 90 % of 100 cores is 90; the trend is at 72 on the last day: 18 days at 1 core a day.
    expect(f.forecast.cpu.days_until_90).toBeCloseTo(18, 1);
    expect(f.health.collection).toEqual({ agents: 2, agentsNotReporting: ['agent-b.example'], hours: 168, hoursWithoutReadings: 68 });
  });

  it('stores the report in <prefix>-reports and reads it back', async () => {
    const sink = new ElasticsearchReportSink(client, prefix);
    expect(await sink.get('weekly:2026-W47')).toBeUndefined();
    const report = renderReport(f, week.endMs + HOUR);
    await sink.put(report);
    const back = await sink.get('weekly:2026-W47');
    expect(back).toEqual(JSON.parse(JSON.stringify(report)));
    const mapping = await client.indices.getMapping({ index: `${prefix}-reports` });
    const props = Object.values(mapping)[0]!.mappings.properties!;
    expect((props['totals'] as { properties: Record<string, unknown> }).properties['waste']).toBeDefined();
    const hit = await client.search({ index: `${prefix}-reports`, query: { range: { 'totals.waste.cpu_core_hours': { gt: 0 } } } });
    expect(hit.hits.hits.map((h) => h._id)).toEqual(['weekly:2026-W47']);
  });

  it('rightsize report weekly stores it and prints the same figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-report-es-'));
    const cfg = join(dir, 'rightsize.yaml');
    writeFileSync(cfg, `elasticsearch:\n  url: ${testEsUrl()}\n  indexPrefix: ${prefix}\n  replicas: 0\n`);
    const r = await runCli(['report', 'weekly', '--week', '2026-W47', '--format', 'json', '--config', cfg]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`stored as weekly:2026-W47 in ${prefix}-reports`);
    const printed = JSON.parse(r.out) as WeeklyFigures;
    expect(printed.totals).toEqual(f.totals);
    expect(printed.jobs).toEqual(f.jobs);
  });

  it('the schedule serve starts makes and stores the report of the last complete week at its cron time', async () => {
    const config = validateConfig({ elasticsearch: { url: testEsUrl(), indexPrefix: prefix, replicas: 0 }, report: { schedule: '*/1 * * * * *', timezone: 'UTC' } });
    const stop = scheduleWeeklyReport(config, client, silentLogger());
    const id = `weekly:${weekLabel(lastCompleteWeek(Date.now(), 'UTC'))}`;
    try {
      const stored = await pollUntil(`${id} in ${prefix}-reports`, 60_000, async () => new ElasticsearchReportSink(client, prefix).get(id));
      expect(stored.period).toBe(id.slice('weekly:'.length));
    } finally {
      await stop();
    }
  });

  it('names the URL when Elasticsearch cannot be reached', async () => {
    const dead = createEsClient({ url: 'http://127.0.0.1:1', requestTimeoutMs: 2000 });
    await expect(weeklyFromStore({ client: dead, prefix, url: 'http://user:secret@127.0.0.1:1', week: W47, timeZone: 'UTC', policy: DEFAULT_POLICY, planK: 4, generatedAtMs: 0 })).rejects.toMatchObject({
      code: 'RS_ERR_STORE_UNAVAILABLE',
      message: expect.not.stringContaining('secret') as unknown,
    });
    await dead.close();
  });
});
