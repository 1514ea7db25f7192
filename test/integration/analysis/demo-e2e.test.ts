import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildSummarizer } from '../../../src/collect/index.js';
import { DEFAULT_POLICY } from '../../../src/analysis/index.js';
import { analyzeFromStore, type AnalyzeStoreResult } from '../../../src/analysis/service/index.js';
import { policyFromConfig } from '../../../src/cli/commands/analyze.js';
import { buildCollectionTargets, buildSummarizerFor, buildSummaryJob } from '../../../src/cli/commands/collect.js';
import type { FinishedBuild } from '../../../src/collectors/jenkins/index.js';
import { CollectorRunner, Scheduler } from '../../../src/scheduler/index.js';
import { validateConfig } from '../../../src/config/index.js';
import { EXECUTOR_OVERHEAD, loadScenarioFile, startEmulatedCluster, taskRequest, validateScenario, type RunningEmulator, type Scenario } from '../../../src/emulators/index.js';
import type { BuildDoc, RecommendationDoc } from '../../../src/model/index.js';
import { ElasticsearchSink, installTemplates } from '../../../src/store/index.js';
import { silentLogger } from '../../../src/util/index.js';
import { REPO_ROOT, testDockerHost, testEsUrl, testWorkloadImage } from '../../support/env.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';
import { pollUntil } from '../../support/poll.js';

/**
 * The issue's end-to-end check on the emulated cluster (~2.5 min): the demo scenario on a fast
 * cadence (test/fixtures/scenarios/demo-fast.yaml) runs its builds as real containers, `collect`'s
 * collectors, runner, sink and build summarizer write them into the real Elasticsearch, and the
 * Elasticsearch analysis path (`analyzeFromStore`, as `rightsize analyze --plan`) recommends:
 * the over-provisioned `api-tests` (2 cpus requested, 0.5 cores used) gets 0.5–0.8 cores, the
 * OOM-prone `memory-hog` more memory, and the label plan covers every job.
 */

const MiB = 1024 * 1024;
const OVER = 'api-tests';
const OOM = 'memory-hog';
const MIN_BUILDS = DEFAULT_POLICY.minBuilds;
const POLL_MS = 2_000;
/**
 * `outcome.oom_killed` comes from the Docker engine (the final document of the build's container,
 * from its `oom`/`die` events), so neither the agents nor the emulator's cgroup sampling need to
 * catch the last moments before the kill.
 */
const MESOS_POLL_MS = 2_000;
const SAMPLE_MS = 1_000;
/** The shared engine runs other people's containers too: stats of all of them every 2 s would swamp it. */
const DOCKER_POLL_MS = 5_000;
const COLLECT_DEADLINE_MS = 170_000;

/**
 * The demo runs for minutes, not days. The production default that a decrease of more than 25 %
 * needs ≥ 10 builds over ≥ 2 days (docs/recommender.md) would hold api-tests at 1.5 cores, so the
 * analysis here asks only for the minimum builds: `analysis.decreaseEvidence: { minBuilds: 5,
 * minDays: 0 }`. (scripts/demo.sh asks for 3 builds in both places, to show its first
 * recommendations sooner; this test waits for the default 5, for steadier figures.) The last test
 * shows the default.
 */
const DEMO_ANALYSIS = { decreaseEvidence: { minBuilds: MIN_BUILDS, minDays: 0 } };
let demoPolicy: ReturnType<typeof policyFromConfig>;

const client = testEsClient();
const prefix = uniquePrefix('demo-e2e');
let scenario: Scenario;
let em: RunningEmulator | undefined;
let runner: CollectorRunner | undefined;
let jobs: Scheduler | undefined;
let sink: ElasticsearchSink | undefined;
let summarizer: BuildSummarizer | undefined;

async function stopCollection(): Promise<void> {
  const r = runner;
  runner = undefined;
  await r?.shutdown();
  await jobs?.stop();
  jobs = undefined;
  const s = summarizer;
  summarizer = undefined;
  await s?.shutdown();
  const k = sink;
  sink = undefined;
  await k?.shutdown();
  const e = em;
  em = undefined;
  await e?.stop();
}

async function builds(): Promise<BuildDoc[]> {
  const res = await client.search<BuildDoc>({ index: `${prefix}-builds-*`, ignore_unavailable: true, allow_no_indices: true, size: 1000, query: { match_all: {} } });
  return res.hits.hits.map((h) => h._source!);
}

const usable = (d: BuildDoc): boolean => !['ABORTED', 'NOT_BUILT'].includes(d.jenkins.result ?? '');
const ofJob = (docs: readonly BuildDoc[], job: string): BuildDoc[] => docs.filter((d) => d.jenkins.job.name === job && usable(d));

beforeAll(async () => {
  const loaded = loadScenarioFile(join(REPO_ROOT, 'test', 'fixtures', 'scenarios', 'demo-fast.yaml'));
  // The image under test (RIGHTSIZE_WORKLOAD_IMAGE) for every label.
  scenario = validateScenario({ ...loaded, labels: loaded.labels.map((l) => ({ ...l, dockerImage: testWorkloadImage() })) });
  em = await startEmulatedCluster(scenario, { usage: 'docker', dockerHost: testDockerHost(), tickMs: 200, sampleIntervalMs: SAMPLE_MS });
  expect(em.urls.mode).toBe('docker');

  const config = validateConfig({
    elasticsearch: { url: testEsUrl(), indexPrefix: prefix, replicas: 0, bulk: { flushIntervalMs: 500 } },
    docker: { hosts: [em.urls.dockerHost!], intervalMs: DOCKER_POLL_MS, timeoutMs: DOCKER_POLL_MS },
    mesos: { masters: em.urls.masters, intervalMs: MESOS_POLL_MS, timeoutMs: MESOS_POLL_MS },
    jenkins: { url: em.urls.jenkins.url, username: em.urls.jenkins.user, token: em.urls.jenkins.token, intervalMs: POLL_MS, timeoutMs: POLL_MS },
    analysis: DEMO_ANALYSIS,
  });
  demoPolicy = policyFromConfig(config.analysis);
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const holder: { enqueue?: (b: readonly FinishedBuild[]) => void } = {};
  const targets = buildCollectionTargets(config, {}, {}, { onFinishedBuilds: (b) => holder.enqueue?.(b) });
  const s = new ElasticsearchSink({ client, prefix, bulk: config.elasticsearch.bulk });
  sink = s;
  const sum = buildSummarizerFor(config, client, s, targets, silentLogger());
  summarizer = sum;
  holder.enqueue = (b) => sum.enqueue(b);
  jobs = new Scheduler({ logger: silentLogger() });
  jobs.add({ ...buildSummaryJob(sum, config), schedule: { everyMs: 1_000 } });
  runner = new CollectorRunner({ targets, sink: s, logger: silentLogger() });
  runner.start();
  jobs.start();
});

afterAll(async () => {
  await stopCollection();
  await dropPrefix(client, prefix);
  await client.close();
});

describe('the demo on the emulated cluster, end to end (real containers, real Elasticsearch)', () => {
  let docs: BuildDoc[];
  let result: AnalyzeStoreResult;
  const rec = (job: string): RecommendationDoc => {
    const d = result.jobs.find((j) => j.workload.key === job);
    if (d === undefined) throw new Error(`no recommendation for ${job} in ${result.jobs.map((j) => j.workload.key).join(', ')}`);
    return d;
  };

  it(`collects ≥ ${MIN_BUILDS} summarised builds of every job, one of ${OOM}'s OOM-killed`, async () => {
    const jobs = scenario.jobs.map((j) => j.name);
    let seen: BuildDoc[] = [];
    docs = await pollUntil(
      `≥ ${MIN_BUILDS} builds documents of ${jobs.join(', ')} and an OOM-killed ${OOM}`,
      COLLECT_DEADLINE_MS,
      async () => {
        const d = await builds();
        seen = d;
        const enough = jobs.every((j) => ofJob(d, j).length >= MIN_BUILDS) && ofJob(d, OOM).some((b) => b.outcome?.oom_killed === true);
        return enough ? d : undefined;
      },
      2_000,
    ).catch((e: Error) => {
      const counts = jobs.map((j) => `${j}: ${ofJob(seen, j).length}`).join(', ');
      const hog = ofJob(seen, OOM).map((b) => `#${b.jenkins.build.number} ${b.jenkins.result} peak ${b.usage?.memory?.peak_bytes} oom ${b.outcome?.oom_killed}`);
      throw new Error(`${e.message}; builds ${counts}; ${OOM}: ${hog.join('; ')}`);
    });
    // Stop the builds and the collectors before analysing: nothing changes under the analysis.
    await stopCollection();
    docs = await builds();

    const over = ofJob(docs, OVER);
    const overReq = taskRequest(scenario.labels.find((l) => l.name === 'linux-2c')!, 1);
    expect(overReq).toMatchObject({ cpus: 2, memMb: 2048.2 });
    for (const b of over) expect(b.request, JSON.stringify(b)).toEqual({ cpu_cores: 2, memory_bytes: Math.round(2048.2 * MiB) });
    // The small label: 0.4 + 0.1 cpus, 1.1 × (256 + 128) = 422.4 MB.
    for (const b of ofJob(docs, OOM)) expect(b.request, JSON.stringify(b)).toEqual({ cpu_cores: 0.5, memory_bytes: Math.round(422.4 * MiB) });
    const killed = ofJob(docs, OOM).filter((b) => b.outcome?.oom_killed === true);
    for (const b of killed) expect(b.jenkins.result).toBe('FAILURE');
    // Every figure is physically possible: a build's CPU never above its container's CFS quota
    // (the task's cpus + the executor's 0.1; +10 % for the reading windows), its memory never
    // above the container's hard limit (the task's mem + 32 MB). Readings of the root cgroup
    // once summarised a 0.5-cpu build at > 16 cores and 2.3 GiB.
    for (const b of docs.filter(usable)) {
      const req = b.request!;
      const cpuLimit = req.cpu_cores! + EXECUTOR_OVERHEAD.cpus;
      const memLimit = req.memory_bytes! + EXECUTOR_OVERHEAD.memMb * MiB;
      expect(b.usage?.cpu?.p95_cores ?? 0, JSON.stringify(b)).toBeLessThanOrEqual(cpuLimit * 1.1);
      expect(b.usage?.cpu?.max_cores ?? 0, JSON.stringify(b)).toBeLessThanOrEqual(cpuLimit * 1.1);
      expect(b.usage?.memory?.peak_bytes ?? 0, JSON.stringify(b)).toBeLessThanOrEqual(memLimit + 1);
    }
  });

  it('recommends 0.5–0.8 cores for the over-provisioned job, more memory for the OOM-prone one, and a plan covering every job', async () => {
    expect(docs, 'the collection step ran').toBeDefined();
    const nowMs = Math.max(...docs.map((d) => d.build.end)) + 1_000;
    result = await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: demoPolicy, nowMs, planK: 4 });
    const jobs = scenario.jobs.map((j) => j.name).sort();
    expect(result.jobs.map((j) => j.workload.key).sort()).toEqual(jobs);
    expect(result.stats.write.failed).toBe(0);

    const over = rec(OVER);
    expect(over.current).toEqual({ cpu_cores: 2, memory_bytes: Math.round(2048.2 * MiB) });
    expect(over.recommended.cpu_cores, JSON.stringify(over)).toBeGreaterThanOrEqual(0.5);
    expect(over.recommended.cpu_cores, JSON.stringify(over)).toBeLessThanOrEqual(0.8);

    const hog = rec(OOM);
    const hogCurrent = Math.round(422.4 * MiB);
    expect(hog.current.memory_bytes).toBe(hogCurrent);
    expect(hog.reasons, JSON.stringify(hog)).toContain('oom_seen');
    expect(hog.recommended.memory_bytes, JSON.stringify(hog)).toBeGreaterThan(hogCurrent);
    // An OOM-killed build's censored need is max(request × 1.5, request + 512 MiB) = 934.4 MiB, far
    // above the other builds' peaks (≤ 0.9 × limit); rec = max(Q × 1.2, Q + 256 MiB) = 1190.4 MiB,
    // rounded up to the 128 MiB ladder: 1280 MiB at least (more only if a build measured more).
    expect(hog.recommended.memory_bytes, JSON.stringify(hog)).toBeGreaterThanOrEqual(1280 * MiB);

    const plan = result.plan!;
    expect(plan, 'a plan was asked for').toBeDefined();
    expect(plan.labels.length).toBeGreaterThanOrEqual(1);
    expect(plan.labels.length).toBeLessThanOrEqual(4);
    expect(plan.assignments.map((a) => a.key).sort()).toEqual(jobs);
    for (const a of plan.assignments) {
      const r = rec(a.key);
      const label = plan.labels.find((l) => l.name === a.label);
      expect(label, `${a.key} → ${a.label} in ${JSON.stringify(plan.labels)}`).toBeDefined();
      expect(label!.cpuCores, `${a.key} → ${JSON.stringify(label)} vs ${JSON.stringify(r.recommended)}`).toBeGreaterThanOrEqual(r.recommended.cpu_cores!);
      expect(label!.memoryBytes, `${a.key} → ${JSON.stringify(label)} vs ${JSON.stringify(r.recommended)}`).toBeGreaterThanOrEqual(r.recommended.memory_bytes!);
    }

    // What the run measured, for the record.
    const summary = {
      builds: Object.fromEntries(jobs.map((j) => [j, ofJob(docs, j).length])),
      oomKilled: ofJob(docs, OOM).filter((b) => b.outcome?.oom_killed === true).length,
      cpu: Object.fromEntries(jobs.map((j) => [j, ofJob(docs, j).map((b) => `p95 ${b.usage?.cpu?.p95_cores?.toFixed(3)} max ${b.usage?.cpu?.max_cores?.toFixed(3)}`)])),
      hogPeaks: ofJob(docs, OOM).map((b) => `#${b.jenkins.build.number} ${b.jenkins.result} ${((b.usage?.memory?.peak_bytes ?? 0) / MiB).toFixed(1)} MiB oom ${b.outcome?.oom_killed}`),
      recommended: result.jobs.map((j) => ({ key: j.workload.key, current: j.current, recommended: { cpu_cores: j.recommended.cpu_cores, memory_bytes: j.recommended.memory_bytes }, reasons: j.reasons })),
      plan: { labels: plan.labels, assignments: plan.assignments.map((a) => `${a.key} → ${a.label}`) },
    };
    process.stdout.write(`demo-e2e: ${JSON.stringify(summary)}\n`);
  });

  it('with the default policy the same builds are not evidence enough for the big CPU decrease', async () => {
    expect(result, 'the analysis step ran').toBeDefined();
    const nowMs = Math.max(...docs.map((d) => d.build.end)) + 1_000;
    const strict = await analyzeFromStore({ client, prefix, url: testEsUrl(), policy: DEFAULT_POLICY, nowMs, dryRun: true });
    const over = strict.jobs.find((j) => j.workload.key === OVER)!;
    // 2 cores × (1 − 0.25) = 1.5, already on the 0.1-core ladder: the most a short history may cut.
    expect(over.recommended.cpu_cores).toBe(1.5);
    expect(over.reasons).toContain('decrease_needs_evidence');
  });
});
