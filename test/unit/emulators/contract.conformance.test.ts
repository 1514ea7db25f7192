import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_CAPTURES_DIR } from '../../support/env.js';
import { loadScenarioFile, resolveScenarioPath, startEmulatedCluster, type RunningEmulator } from '../../../src/emulators/index.js';
import { ManualClock } from '../../../src/util/index.js';
import { parseAgentStatistics, parseMasterState, parseMetricsSnapshot, parseRoles } from '../../../src/collectors/mesos/index.js';
import { parseBuilds, parseComputers, parseJobTree, parseQueue } from '../../../src/collectors/jenkins/parse.js';
import { jobTreeQuery } from '../../../src/collectors/jenkins/JenkinsCollector.js';
import { at, commonFields, mismatches, shapeOf } from './shape.js';

/**
 * Contract tests: every emulated endpoint is compared, field by field, with the real responses
 * of the same endpoint in ../shared/real-captures (read in place, never copied): the types of
 * common fields must agree, and the fields our collectors read must exist in both with the same
 * type and unit.
 */

type Unit = 'string' | 'boolean' | 'number' | 'epochSec' | 'epochMs' | 'bytes' | 'mb' | 'cores' | 'ms' | 'array' | 'object';

function checkUnit(v: unknown, unit: Unit): boolean {
  switch (unit) {
    case 'string':
    case 'boolean':
    case 'number':
      return typeof v === unit;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'epochSec':
      return typeof v === 'number' && v > 1e9 && v < 1e10;
    case 'epochMs':
      return typeof v === 'number' && v > 1e12 && v < 1e13;
    case 'bytes':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0;
    case 'mb':
      // MB as Mesos reports them: a byte count would be ≥ 1e8 for any real agent.
      return typeof v === 'number' && v >= 0 && v < 1e8;
    case 'cores':
      return typeof v === 'number' && v >= 0 && v < 1e4;
    case 'ms':
      return typeof v === 'number' && Number.isInteger(v) && v >= -1;
  }
}

const T0 = 1_763_000_000_000;
let em: RunningEmulator;
let clock: ManualClock;
let auth: string;

function capture(dir: string, file: string): unknown {
  return JSON.parse(readFileSync(join(REAL_CAPTURES_DIR, dir, file), 'utf8')) as unknown;
}

async function get(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { authorization: auth } });
  expect(res.status, url).toBe(200);
  return (await res.json());
}

beforeAll(async () => {
  if (!existsSync(REAL_CAPTURES_DIR)) {
    throw new Error(`real captures not found at ${REAL_CAPTURES_DIR}: the contract tests compare the emulator against them (set RIGHTSIZE_REAL_CAPTURES)`);
  }
  clock = new ManualClock(T0);
  em = await startEmulatedCluster(loadScenarioFile(resolveScenarioPath('demo')), { clock, usage: 'model' });
  auth = 'Basic ' + Buffer.from(`${em.urls.jenkins.user}:${em.urls.jenkins.token}`).toString('base64');
  for (let i = 0; i < 400; i++) {
    clock.advance(1000);
    em.tick();
  }
});

afterAll(async () => {
  await em?.stop();
});

interface Case {
  readonly endpoint: string;
  readonly dir: string;
  readonly captures: readonly string[];
  readonly emulated: () => Promise<unknown>;
  /** Fields collectors read: path (with `[]` for the first element) → type/unit. */
  readonly required: ReadonlyArray<readonly [string, Unit]>;
  /** The required fields are looked up in the captures only where they exist there (old versions lack some). */
  readonly minCommon: number;
}

const jobUrl = (name: string) => em.urls.jenkins.url + name.split('/').map((p) => `job/${p}/`).join('');
function someBuild(pred: (b: { building: boolean; job: string; number: number }) => boolean): { job: string; number: number } {
  for (const j of em.cluster.engine.jobs.values()) for (const b of j.builds) if (pred(b)) return b;
  throw new Error('no such build in the emulator');
}

const cases: Case[] = [
  {
    endpoint: 'master /metrics/snapshot',
    dir: 'mesos-master',
    captures: ['metrics_snapshot_1.x_DERIVED-from-api-v1-GET_METRICS.json', 'metrics_snapshot_mackerel_jenkins-framework.json'],
    emulated: () => get(em.urls.masters[0] + '/metrics/snapshot'),
    required: [
      ['master/cpus_total', 'cores'],
      ['master/cpus_used', 'cores'],
      ['master/cpus_percent', 'number'],
      ['master/mem_total', 'mb'],
      ['master/mem_used', 'mb'],
      ['master/disk_total', 'mb'],
      ['master/elected', 'number'],
      ['master/uptime_secs', 'number'],
      ['master/tasks_running', 'number'],
      ['master/slaves_active', 'number'],
      ['system/mem_total_bytes', 'bytes'],
    ],
    minCommon: 60,
  },
  {
    endpoint: 'master /master/state',
    dir: 'mesos-master',
    captures: ['state_dcos-ui_1.2.0_kafka-marathon.json', 'state_dcos-ui_0.27.0_cassandra-marathon.json', 'state_mesos-dns_multi-framework.json', 'state_dcos-metrics_1.2_trimmed.json', 'state_dcos-ui_0.22.0_production-OVH1_TRIMMED.json', 'state_mesos-cli_0.19.json', 'state_ddagent_0.22.json'],
    emulated: () => get(em.urls.masters[0] + '/master/state'),
    required: [
      ['leader', 'string'],
      ['pid', 'string'],
      ['hostname', 'string'],
      ['elected_time', 'epochSec'],
      ['slaves[].id', 'string'],
      ['slaves[].hostname', 'string'],
      ['slaves[].resources.cpus', 'cores'],
      ['slaves[].resources.mem', 'mb'],
      ['slaves[].used_resources.cpus', 'cores'],
      ['slaves[].used_resources.mem', 'mb'],
      ['frameworks[].id', 'string'],
      ['frameworks[].name', 'string'],
      ['frameworks[].used_resources.cpus', 'cores'],
      ['frameworks[].tasks[].id', 'string'],
      ['frameworks[].tasks[].name', 'string'],
      ['frameworks[].tasks[].slave_id', 'string'],
      ['frameworks[].tasks[].state', 'string'],
      ['frameworks[].tasks[].resources.cpus', 'cores'],
      ['frameworks[].tasks[].resources.mem', 'mb'],
      ['frameworks[].tasks[].statuses[].timestamp', 'epochSec'],
    ],
    minCommon: 60,
  },
  {
    endpoint: 'master /master/state-summary',
    dir: 'mesos-master',
    captures: ['state-summary_dcos-ui_1.2.0_kafka-marathon.json'],
    emulated: () => get(em.urls.masters[0] + '/master/state-summary'),
    required: [
      ['hostname', 'string'],
      ['slaves[].id', 'string'],
      ['slaves[].used_resources.cpus', 'cores'],
      ['slaves[].used_resources.mem', 'mb'],
      ['slaves[].TASK_RUNNING', 'number'],
      ['frameworks[].id', 'string'],
      ['frameworks[].used_resources.cpus', 'cores'],
      ['frameworks[].TASK_RUNNING', 'number'],
      ['frameworks[].slave_ids', 'array'],
    ],
    minCommon: 40,
  },
  {
    endpoint: 'master /roles',
    dir: 'mesos-master',
    captures: ['roles_ddagent_0.22.json'],
    emulated: () => get(em.urls.masters[0] + '/roles'),
    required: [
      ['roles[].name', 'string'],
      ['roles[].weight', 'number'],
      ['roles[].resources.cpus', 'cores'],
      ['roles[].resources.mem', 'mb'],
      ['roles[].frameworks', 'array'],
    ],
    minCommon: 8,
  },
  {
    endpoint: 'agent /monitor/statistics',
    dir: 'mesos-agent',
    captures: ['monitor_statistics_mesos-cli_0.19.json', 'monitor_statistics_apache-mesos-docs_port-mapping.json'],
    emulated: () => get(em.urls.agents[0] + '/monitor/statistics'),
    required: [
      ['[].executor_id', 'string'],
      ['[].framework_id', 'string'],
      ['[].source', 'string'],
      ['[].statistics.cpus_user_time_secs', 'number'],
      ['[].statistics.cpus_system_time_secs', 'number'],
      ['[].statistics.cpus_limit', 'cores'],
      ['[].statistics.mem_rss_bytes', 'bytes'],
      ['[].statistics.mem_limit_bytes', 'bytes'],
      ['[].statistics.timestamp', 'epochSec'],
    ],
    minCommon: 10,
  },
  {
    endpoint: 'agent /containers',
    dir: 'mesos-agent',
    captures: ['containers_dcos-metrics.json', 'containers_dcos-metrics_no-statistics.json'],
    emulated: () => get(em.urls.agents[0] + '/containers'),
    required: [
      ['[].container_id', 'string'],
      ['[].executor_id', 'string'],
      ['[].framework_id', 'string'],
      ['[].statistics.cpus_user_time_secs', 'number'],
      ['[].statistics.cpus_limit', 'cores'],
      ['[].statistics.mem_limit_bytes', 'bytes'],
    ],
    minCommon: 12,
  },
  {
    endpoint: 'agent /state',
    dir: 'mesos-agent',
    captures: ['state_dcos-ui_0.27.0_cassandra.json', 'state_ddagent_0.22.json', 'state_mesos-cli_0.19.json'],
    emulated: () => get(em.urls.agents[0] + '/state'),
    required: [
      ['id', 'string'],
      ['pid', 'string'],
      ['hostname', 'string'],
      ['resources.cpus', 'cores'],
      ['resources.mem', 'mb'],
      ['frameworks[].id', 'string'],
      ['frameworks[].executors[].id', 'string'],
      ['frameworks[].executors[].container', 'string'],
      ['frameworks[].executors[].resources.cpus', 'cores'],
      ['frameworks[].executors[].resources.mem', 'mb'],
      ['frameworks[].executors[].tasks[].id', 'string'],
    ],
    minCommon: 25,
  },
  {
    endpoint: 'agent /metrics/snapshot',
    dir: 'mesos-agent',
    captures: ['metrics_snapshot_mackerel.json'],
    emulated: () => get(em.urls.agents[0] + '/metrics/snapshot'),
    required: [
      ['slave/cpus_total', 'cores'],
      ['slave/cpus_used', 'cores'],
      ['slave/mem_total', 'mb'],
      ['slave/mem_used', 'mb'],
      ['slave/tasks_running', 'number'],
      ['system/mem_total_bytes', 'bytes'],
    ],
    minCommon: 30,
  },
  {
    endpoint: 'jenkins /queue/api/json',
    dir: 'jenkins',
    captures: ['queue_ujenkins_blocked.json', 'queue_cdancy.json', 'queue_nestor_legacy.json'],
    emulated: () => get(em.urls.jenkins.url + 'queue/api/json'),
    required: [
      ['items[].id', 'number'],
      ['items[].inQueueSince', 'epochMs'],
      ['items[].buildableStartMilliseconds', 'epochMs'],
      ['items[].why', 'string'],
      ['items[].blocked', 'boolean'],
      ['items[].buildable', 'boolean'],
      ['items[].stuck', 'boolean'],
      ['items[].task.name', 'string'],
      ['items[].task.url', 'string'],
    ],
    minCommon: 15,
  },
  {
    endpoint: 'jenkins /queue/item/<id>/api/json (still queued)',
    dir: 'jenkins',
    captures: ['queue_item_blocked_cdancy.json'],
    emulated: async () => {
      const item = em.cluster.engine.queue[0];
      if (!item) throw new Error('the emulator has no queued item to compare');
      return get(em.urls.jenkins.url + `queue/item/${item.id}/api/json`);
    },
    required: [
      ['_class', 'string'],
      ['id', 'number'],
      ['inQueueSince', 'epochMs'],
      ['buildableStartMilliseconds', 'epochMs'],
      ['why', 'string'],
      ['task.name', 'string'],
    ],
    minCommon: 12,
  },
  {
    endpoint: 'jenkins /queue/item/<id>/api/json (left the queue)',
    dir: 'jenkins',
    captures: ['queue_item_left-running_cdancy.json'],
    emulated: async () => {
      const id = [...em.cluster.engine.leftItems.keys()][0]!;
      return get(em.urls.jenkins.url + `queue/item/${id}/api/json`);
    },
    required: [
      ['_class', 'string'],
      ['id', 'number'],
      ['inQueueSince', 'epochMs'],
      ['cancelled', 'boolean'],
      ['executable.number', 'number'],
      ['executable.url', 'string'],
    ],
    minCommon: 15,
  },
  {
    endpoint: 'jenkins /computer/api/json (depth 0)',
    dir: 'jenkins',
    captures: ['computer_cdancy.json', 'computer_ujenkins_offline-master.json'],
    emulated: () => get(em.urls.jenkins.url + 'computer/api/json'),
    required: [
      ['busyExecutors', 'number'],
      ['totalExecutors', 'number'],
      ['computer[].displayName', 'string'],
      ['computer[].numExecutors', 'number'],
      ['computer[].offline', 'boolean'],
      ['computer[].idle', 'boolean'],
      ['computer[].executors', 'array'],
    ],
    minCommon: 20,
  },
  {
    endpoint: 'jenkins /computer/api/json?depth=1',
    dir: 'jenkins',
    captures: ['computer_depth1_busy_nestor.json', 'computer_depth1_idle_nestor.json'],
    emulated: () => get(em.urls.jenkins.url + 'computer/api/json?depth=1'),
    required: [
      ['computer[].executors', 'array'],
      ['busyExecutors', 'number'],
    ],
    minCommon: 20,
  },
  {
    endpoint: 'jenkins /job/<name>/api/json',
    dir: 'jenkins',
    captures: ['job_ujenkins.json', 'job_cdancy.json', 'job_nestor.json'],
    emulated: () => get(jobUrl('api-tests') + 'api/json'),
    required: [
      ['name', 'string'],
      ['url', 'string'],
      ['builds[].number', 'number'],
      ['builds[].url', 'string'],
      ['lastBuild.number', 'number'],
      ['lastCompletedBuild.number', 'number'],
      ['nextBuildNumber', 'number'],
      ['inQueue', 'boolean'],
    ],
    minCommon: 20,
  },
  {
    endpoint: 'jenkins /job/<name>/<n>/api/json (finished)',
    dir: 'jenkins',
    captures: ['build_cdancy.json', 'build_ujenkins_freestyle.json', 'build_workflowrun_timeinqueue_pipeline-automation-lib.json'],
    emulated: () => {
      const b = someBuild((x) => !x.building);
      return get(`${jobUrl(b.job)}${b.number}/api/json`);
    },
    required: [
      ['number', 'number'],
      ['queueId', 'number'],
      ['timestamp', 'epochMs'],
      ['duration', 'ms'],
      ['estimatedDuration', 'ms'],
      ['result', 'string'],
      ['building', 'boolean'],
      ['builtOn', 'string'],
      ['url', 'string'],
    ],
    minCommon: 25,
  },
  {
    endpoint: 'jenkins /job/<name>/<n>/api/json (building)',
    dir: 'jenkins',
    captures: ['build_in-progress_cdancy_2016.json'],
    emulated: () => {
      const b = someBuild((x) => x.building);
      return get(`${jobUrl(b.job)}${b.number}/api/json`);
    },
    required: [
      ['building', 'boolean'],
      ['duration', 'ms'],
      ['timestamp', 'epochMs'],
      ['executor', 'object'],
    ],
    minCommon: 15,
  },
];

describe('emulated endpoints match the real captures', () => {
  for (const c of cases) {
    it(c.endpoint, async () => {
      const emulated = await c.emulated();
      const emuShape = shapeOf(emulated);
      let common = 0;
      for (const file of c.captures) {
        const real = capture(c.dir, file);
        const problems = mismatches(shapeOf(real), emuShape);
        expect(problems, `${c.endpoint} vs ${file}`).toEqual([]);
        common = Math.max(common, commonFields(shapeOf(real), emuShape));
      }
      expect(common, `fields in common with the best capture of ${c.endpoint}`).toBeGreaterThanOrEqual(c.minCommon);
      for (const [path, unit] of c.required) {
        const p = path;
        const emuValue = at(emulated, p);
        expect(checkUnit(emuValue, unit), `emulator ${c.endpoint} ${path} = ${JSON.stringify(emuValue)} should be ${unit}`).toBe(true);
        const realValues = c.captures.map((f) => at(capture(c.dir, f), p)).filter((v) => v !== undefined && v !== null);
        expect(realValues.length, `no capture of ${c.endpoint} has ${path}`).toBeGreaterThan(0);
        for (const v of realValues) expect(checkUnit(v, unit), `capture ${c.endpoint} ${path} = ${JSON.stringify(v)} should be ${unit}`).toBe(true);
      }
    });
  }

  it('the comparison catches a changed type (self-check)', async () => {
    const real = capture('mesos-agent', 'monitor_statistics_mesos-cli_0.19.json');
    const emulated = (await get(em.urls.agents[0] + '/monitor/statistics')) as Array<{ statistics: Record<string, unknown> }>;
    expect(emulated.length).toBeGreaterThan(0);
    emulated[0]!.statistics['timestamp'] = String(emulated[0]!.statistics['timestamp']);
    expect(mismatches(shapeOf(real), shapeOf(emulated))).toEqual(['[]/statistics/timestamp: real number vs emulated string']);
    expect(checkUnit(1_403_819_237_307, 'epochSec')).toBe(false);
  });

  it('the master snapshot has every key of the Mesos 1.x key set', async () => {
    const real = capture('mesos-master', 'metrics_snapshot_1.x_DERIVED-from-api-v1-GET_METRICS.json') as Record<string, number>;
    const emu = (await get(em.urls.masters[0] + '/metrics/snapshot')) as Record<string, number>;
    expect(Object.keys(real).filter((k) => !(k in emu))).toEqual([]);
  });

  it('the agent snapshot has every key of the real agent capture', async () => {
    const real = capture('mesos-agent', 'metrics_snapshot_mackerel.json') as Record<string, number>;
    const emu = (await get(em.urls.agents[0] + '/metrics/snapshot')) as Record<string, number>;
    expect(Object.keys(real).filter((k) => !(k in emu))).toEqual([]);
  });

  it('executor limits carry the command-executor overhead like the real 0.22 agent state (task 1 cpu/100 MB → executor 1.1/132)', async () => {
    const real = capture('mesos-agent', 'state_ddagent_0.22.json');
    const ex = at(real, 'frameworks[].executors[]') as { resources: { cpus: number; mem: number }; tasks: Array<{ resources: { cpus: number; mem: number } }> };
    expect(ex.resources.cpus - ex.tasks[0]!.resources.cpus).toBeCloseTo(0.1, 6);
    expect(ex.resources.mem - ex.tasks[0]!.resources.mem).toBe(32);
    const emu = (await get(em.urls.agents[0] + '/state'));
    const eex = at(emu, 'frameworks[].executors[]') as typeof ex;
    expect(eex.resources.cpus - eex.tasks[0]!.resources.cpus).toBeCloseTo(0.1, 6);
    expect(eex.resources.mem - eex.tasks[0]!.resources.mem).toBeCloseTo(32, 6);
  });
});

describe('the collectors read the emulator as they read real captures', () => {
  const ctx = () => ({ target: 'contract', nowMs: clock.nowMs(), masterUrl: em.urls.masters[0]! });

  it('Mesos master and agent endpoints parse without errors', async () => {
    const state = parseMasterState(await get(em.urls.masters[0] + '/master/state'), ctx());
    expect(state.errors).toEqual([]);
    expect(state.value.isLeader).toBe(true);
    expect(state.value.tasks.size).toBe(em.cluster.engine.tasks.size);
    // Ended builds' tasks stay listed with their requests (what a build shorter than a master poll is known by).
    const ended = em.cluster.engine.completedTasks;
    expect(ended.length).toBeGreaterThan(0);
    expect(state.value.completedTasks.size).toBe(ended.length);
    for (const t of ended) expect(state.value.completedTasks.get(t.id)?.request).toMatchObject({ cpus: t.resources.cpus, memBytes: Math.round(t.resources.memMb * 1024 * 1024) });
    const snap = parseMetricsSnapshot(await get(em.urls.masters[0] + '/metrics/snapshot'), ctx());
    expect(snap.errors).toEqual([]);
    const roles = parseRoles(await get(em.urls.masters[0] + '/roles'), ctx());
    expect(roles.errors).toEqual([]);
    for (const agent of em.urls.agents) {
      const stats = parseAgentStatistics(await get(agent + '/monitor/statistics'), { target: 'contract' });
      expect(stats.errors).toEqual([]);
      const containers = parseAgentStatistics(await get(agent + '/containers'), { target: 'contract' });
      expect(containers.errors).toEqual([]);
      expect(containers.value.every((c) => typeof c.containerId === 'string')).toBe(true);
    }
  });

  it('Jenkins queue, computers and builds parse without errors', async () => {
    const queue = parseQueue(await get(em.urls.jenkins.url + 'queue/api/json'), ctx());
    expect(queue.errors).toEqual([]);
    expect(queue.value.length).toBe(em.cluster.engine.queue.length);
    const computers = parseComputers(await get(em.urls.jenkins.url + 'computer/api/json?depth=1'), { target: 'contract' });
    expect(computers.errors).toEqual([]);
    const tree = parseJobTree(await get(em.urls.jenkins.url + `api/json?tree=${encodeURIComponent(jobTreeQuery(2))}`), { target: 'contract', maxDepth: 2 });
    expect(tree.errors).toEqual([]);
    expect(tree.value.unexpandedFolders).toEqual([]);
    expect(tree.value.jobs.map((j) => j.fullName).sort()).toEqual([...em.cluster.engine.jobs.keys()].sort());
    const integration = tree.value.jobs.find((j) => j.fullName === 'team-a/integration')!;
    expect(integration.buildRefsReported).toBe(true);
    expect(integration.lastNumber).toBe(em.cluster.engine.jobs.get('team-a/integration')!.builds.at(-1)!.number);
    const job = await get(jobUrl('api-tests') + 'api/json?tree=builds[number,url,timestamp,duration,result,building,builtOn,queueId,actions[_class,queuingDurationMillis,buildableDurationMillis,waitingDurationMillis]]');
    const builds = parseBuilds(job, { target: 'contract', nowMs: clock.nowMs(), jobName: 'api-tests' });
    expect(builds.errors).toEqual([]);
    expect(builds.value.finished.length + builds.value.building.length).toBe(em.cluster.engine.jobs.get('api-tests')!.builds.length);
    // The Metrics plugin's queue times come through the tree, as from a real Jenkins.
    const first = builds.value.finished.find((b) => b.number === 1)!;
    expect(first.queue).toBeDefined();
    expect(first.builtOn).toBe(em.cluster.engine.build('api-tests', 1)!.builtOn);
  });
});
