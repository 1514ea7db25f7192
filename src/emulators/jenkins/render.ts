import { jobPath, type EmulatedCluster } from '../cluster/EmulatedCluster.js';
import type { BuildState, NodeState, QueueItem } from '../cluster/types.js';

/**
 * Jenkins 2.x remote-API JSON, rendered from the engine. `depth` follows Jenkins' export
 * visibility: nested objects show fewer fields at depth 0 (executors are `{}`, a build's
 * `executor` is `{}`, TimeInQueueAction hides its visibility-1 fields).
 */
export interface JenkinsView {
  readonly cluster: EmulatedCluster;
  /** Root URL, ending with `/`. */
  readonly rootUrl: string;
}

const FOLDER_CLASS = 'com.cloudbees.hudson.plugins.folder.Folder';
const JOB_CLASS = 'hudson.model.FreeStyleProject';
const BUILD_CLASS = 'hudson.model.FreeStyleBuild';

const timerCause = () => ({
  _class: 'hudson.model.CauseAction',
  causes: [{ _class: 'hudson.triggers.TimerTrigger$TimerTriggerCause', shortDescription: 'Started by timer' }],
});

function jobUrl(v: JenkinsView, fullName: string): string {
  return `${v.rootUrl}${jobPath(fullName)}`;
}

function buildUrl(v: JenkinsView, b: { job: string; number: number }): string {
  return `${jobUrl(v, b.job)}${b.number}/`;
}

function buildRef(v: JenkinsView, b: { job: string; number: number } | undefined): Record<string, unknown> | null {
  return b ? { _class: BUILD_CLASS, number: b.number, url: buildUrl(v, b) } : null;
}

/** Children (jobs and folders) of a folder ('' = root). */
export function childrenOf(v: JenkinsView, folder: string): Array<{ name: string; fullName: string; isFolder: boolean }> {
  const prefix = folder === '' ? '' : folder + '/';
  const seen = new Map<string, { name: string; fullName: string; isFolder: boolean }>();
  for (const full of v.cluster.engine.jobs.keys()) {
    if (!full.startsWith(prefix)) continue;
    const rest = full.slice(prefix.length);
    const name = rest.split('/')[0]!;
    const isFolder = rest.includes('/');
    if (!seen.has(name)) seen.set(name, { name, fullName: prefix + name, isFolder });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function isFolder(v: JenkinsView, fullName: string): boolean {
  const prefix = fullName + '/';
  return [...v.cluster.engine.jobs.keys()].some((j) => j.startsWith(prefix));
}

function color(v: JenkinsView, fullName: string): string {
  const job = v.cluster.engine.jobs.get(fullName);
  if (!job || job.builds.length === 0) return 'notbuilt';
  const building = job.builds.some((b) => b.building);
  const last = [...job.builds].reverse().find((b) => !b.building);
  const base = !last ? 'notbuilt' : last.result === 'SUCCESS' ? 'blue' : last.result === 'ABORTED' ? 'aborted' : 'red';
  return building ? `${base}_anime` : base;
}

function itemSummary(v: JenkinsView, c: { name: string; fullName: string; isFolder: boolean }): Record<string, unknown> {
  return c.isFolder
    ? { _class: FOLDER_CLASS, name: c.name, url: jobUrl(v, c.fullName) }
    : { _class: JOB_CLASS, name: c.name, url: jobUrl(v, c.fullName), color: color(v, c.fullName) };
}

/** A child item: a summary at depth 0, the whole folder/job below (as Jenkins exports nested items). */
function item(v: JenkinsView, c: { name: string; fullName: string; isFolder: boolean }, depth: number): Record<string, unknown> {
  if (depth < 1) return itemSummary(v, c);
  return (c.isFolder ? renderFolder(v, c.fullName, depth - 1) : renderJob(v, c.fullName, depth - 1)) ?? itemSummary(v, c);
}

/** `/api/json` */
export function renderRoot(v: JenkinsView, depth = 0): Record<string, unknown> {
  return {
    _class: 'hudson.model.Hudson',
    assignedLabels: [{ name: 'built-in' }],
    mode: 'EXCLUSIVE',
    nodeDescription: 'the Jenkins controller\u2019s built-in node',
    nodeName: '',
    numExecutors: 0,
    description: null,
    jobs: childrenOf(v, '').map((c) => item(v, c, depth)),
    overallLoad: {},
    primaryView: { _class: 'hudson.model.AllView', name: 'all', url: v.rootUrl },
    quietDownReason: null,
    quietingDown: false,
    slaveAgentPort: 50000,
    unlabeledLoad: { _class: 'jenkins.model.UnlabeledLoadStatistics' },
    url: v.rootUrl,
    useCrumbs: true,
    useSecurity: true,
    views: [{ _class: 'hudson.model.AllView', name: 'all', url: v.rootUrl }],
  };
}

/** `/job/<folder>/api/json` */
export function renderFolder(v: JenkinsView, fullName: string, depth = 0): Record<string, unknown> {
  const name = fullName.split('/').pop()!;
  return {
    _class: FOLDER_CLASS,
    actions: [{}],
    description: null,
    displayName: name,
    displayNameOrNull: null,
    fullDisplayName: fullName.split('/').join(' \u00bb '),
    fullName,
    name,
    url: jobUrl(v, fullName),
    healthReport: [],
    jobs: childrenOf(v, fullName).map((c) => item(v, c, depth)),
    primaryView: { _class: 'hudson.model.AllView', name: 'All', url: jobUrl(v, fullName) },
    views: [{ _class: 'hudson.model.AllView', name: 'All', url: jobUrl(v, fullName) }],
  };
}

function queueItemJson(v: JenkinsView, item: QueueItem): Record<string, unknown> {
  const e = v.cluster.engine;
  const name = item.job.split('/').pop()!;
  const base: Record<string, unknown> = {
    _class: item.state === 'left' ? 'hudson.model.Queue$LeftItem' : item.state === 'waiting' ? 'hudson.model.Queue$WaitingItem' : 'hudson.model.Queue$BuildableItem',
    actions: [timerCause()],
    blocked: false,
    buildable: item.state === 'buildable',
    id: item.id,
    inQueueSince: item.inQueueSinceMs,
    params: '',
    stuck: e.isStuck(item),
    task: { _class: JOB_CLASS, name, url: jobUrl(v, item.job), color: color(v, item.job) },
    url: `queue/item/${item.id}/`,
    why: item.why,
  };
  if (item.state === 'waiting') base['timestamp'] = item.buildableStartMs;
  if (item.state === 'buildable') {
    base['buildableStartMilliseconds'] = item.buildableStartMs;
    base['pending'] = false;
  }
  if (item.state === 'left') {
    base['cancelled'] = item.cancelled;
    base['executable'] = buildRef(v, item.executable);
  }
  return base;
}

/** `/queue/api/json` */
export function renderQueue(v: JenkinsView): Record<string, unknown> {
  return { _class: 'hudson.model.Queue', discoverableItems: [], items: v.cluster.engine.queue.filter((i) => i.state !== 'left').map((i) => queueItemJson(v, i)) };
}

/** `/queue/item/<id>/api/json`, or undefined (404). */
export function renderQueueItem(v: JenkinsView, id: number): Record<string, unknown> | undefined {
  const e = v.cluster.engine;
  const item = e.queue.find((i) => i.id === id) ?? e.leftItems.get(id);
  return item ? queueItemJson(v, item) : undefined;
}

function lastWhere(builds: readonly BuildState[], pred: (b: BuildState) => boolean): BuildState | undefined {
  for (let i = builds.length - 1; i >= 0; i--) if (pred(builds[i]!)) return builds[i];
  return undefined;
}

/**
 * `/job/<name>/api/json`. At depth ≥ 1 (or under a `tree`) the `builds[]` and permalink entries
 * are whole builds, so `tree=builds[timestamp,duration,...]` works as on real Jenkins.
 */
export function renderJob(v: JenkinsView, fullName: string, depth = 0): Record<string, unknown> | undefined {
  const e = v.cluster.engine;
  const job = e.jobs.get(fullName);
  if (!job) return undefined;
  const name = fullName.split('/').pop()!;
  const builds = job.builds;
  const done = (b: BuildState) => !b.building;
  const queued = e.queue.find((i) => i.job === fullName && i.state !== 'left');
  const spec = e.jobSpec(fullName)!;
  const failedCount = builds.slice(-5).filter((b) => done(b) && b.result !== 'SUCCESS').length;
  const finished = builds.slice(-5).filter(done).length;
  const ref = (b: BuildState | undefined): Record<string, unknown> | null =>
    b === undefined ? null : depth >= 1 ? (renderBuild(v, fullName, b.number, depth - 1) ?? null) : buildRef(v, b);
  return {
    _class: JOB_CLASS,
    actions: [{}, {}],
    description: '',
    displayName: name,
    displayNameOrNull: null,
    fullDisplayName: fullName.split('/').join(' \u00bb '),
    fullName,
    name,
    url: jobUrl(v, fullName),
    buildable: true,
    builds: [...builds].reverse().map((b) => ref(b)),
    color: color(v, fullName),
    firstBuild: ref(builds[0]),
    healthReport:
      finished === 0
        ? []
        : [
            {
              description: `Build stability: ${failedCount === 0 ? 'No recent builds failed.' : `${failedCount} out of the last ${finished} builds failed.`}`,
              iconClassName: 'icon-health-80plus',
              iconUrl: 'health-80plus.png',
              score: Math.round(100 * (1 - failedCount / finished)),
            },
          ],
    inQueue: queued !== undefined,
    keepDependencies: false,
    lastBuild: ref(builds[builds.length - 1]),
    lastCompletedBuild: ref(lastWhere(builds, done)),
    lastFailedBuild: ref(lastWhere(builds, (b) => done(b) && b.result === 'FAILURE')),
    lastStableBuild: ref(lastWhere(builds, (b) => done(b) && b.result === 'SUCCESS')),
    lastSuccessfulBuild: ref(lastWhere(builds, (b) => done(b) && b.result === 'SUCCESS')),
    lastUnstableBuild: null,
    lastUnsuccessfulBuild: ref(lastWhere(builds, (b) => done(b) && b.result !== 'SUCCESS')),
    nextBuildNumber: job.nextBuildNumber,
    property: [],
    queueItem: queued ? queueItemJson(v, queued) : null,
    concurrentBuild: true,
    disabled: false,
    downstreamProjects: [],
    labelExpression: spec.label,
    scm: { _class: 'hudson.scm.NullSCM' },
    upstreamProjects: [],
  };
}

/**
 * `jenkins.metrics.impl.TimeInQueueAction` (metrics plugin; all ms). At depth 0 the
 * visibility-1 fields (`queuingDurationMillis`, `queuingTimeMillis`, `totalDurationMillis`) are
 * not exported inside `actions[]`, as real Jenkins does.
 */
export function timeInQueueAction(b: BuildState, nowMs: number, depth: number): Record<string, unknown> {
  const building = b.building ? 0 : (b.endMs ?? nowMs) - b.startMs;
  const queuing = b.waitingMs + b.buildableMs;
  const out: Record<string, unknown> = {
    _class: 'jenkins.metrics.impl.TimeInQueueAction',
    blockedDurationMillis: 0,
    blockedTimeMillis: 0,
    buildableDurationMillis: b.buildableMs,
    buildableTimeMillis: b.buildableMs,
    buildingDurationMillis: building,
    executingTimeMillis: building,
    executorUtilization: building > 0 ? 1.0 : 0.0,
    subTaskCount: 0,
    waitingDurationMillis: b.waitingMs,
    waitingTimeMillis: b.waitingMs,
  };
  if (depth >= 1) {
    out['queuingDurationMillis'] = queuing;
    out['queuingTimeMillis'] = queuing;
    out['totalDurationMillis'] = queuing + building;
  }
  return out;
}

/** `/job/<name>/<n>/api/json`, or undefined (404). */
export function renderBuild(v: JenkinsView, fullName: string, number: number, depth: number): Record<string, unknown> | undefined {
  const e = v.cluster.engine;
  const b = e.build(fullName, number);
  if (!b) return undefined;
  const actions: Array<Record<string, unknown>> = [timerCause()];
  if (e.scenario.jenkins.metricsPlugin) actions.push(timeInQueueAction(b, e.nowMs, depth));
  return {
    _class: BUILD_CLASS,
    actions,
    artifacts: [],
    building: b.building,
    description: rightsizeDescription(b),
    displayName: `#${b.number}`,
    duration: b.building ? 0 : (b.endMs ?? b.startMs) - b.startMs,
    estimatedDuration: b.estimatedDurationMs,
    executor: b.building ? (depth >= 1 ? { _class: 'hudson.model.Executor', currentExecutable: buildRef(v, b), idle: false, likelyStuck: false, number: b.executorNumber, progress: progress(b, e.nowMs) } : {}) : null,
    fullDisplayName: `${fullName.split('/').join(' \u00bb ')} #${b.number}`,
    id: String(b.number),
    keepLog: false,
    number: b.number,
    queueId: b.queueId,
    result: b.building ? null : b.result,
    timestamp: b.startMs,
    url: buildUrl(v, b),
    builtOn: b.builtOn,
    changeSet: { _class: 'hudson.scm.EmptyChangeLogSet', items: [], kind: null },
    culprits: [],
  };
}

/**
 * A build of a job that asks rightsize says which label it ran on and why, in its description
 * (what a pipeline sets with `currentBuild.description`); other builds have none.
 */
export function rightsizeDescription(b: BuildState): string | null {
  const r = b.rightsize;
  if (!r) return null;
  if (r.outcome === 'answered') return `rightsize: label ${r.label} (answered)`;
  return `rightsize: fallback label ${r.label} (${r.reason ?? 'unreachable'}${r.status !== undefined ? ` ${r.status}` : ''})`;
}

function progress(b: BuildState, nowMs: number): number {
  if (b.estimatedDurationMs <= 0) return -1;
  return Math.min(99, Math.floor((100 * (nowMs - b.startMs)) / b.estimatedDurationMs));
}

function executorJson(v: JenkinsView, node: NodeState, slot: number, depth: number): Record<string, unknown> {
  if (depth < 1) return {};
  const key = node.executors[slot] ?? null;
  const b = key ? v.cluster.engine.build(key.job, key.number) : undefined;
  return {
    _class: 'hudson.model.Executor',
    currentExecutable: b ? buildRef(v, b) : null,
    currentWorkUnit: b ? {} : null,
    idle: !b,
    likelyStuck: false,
    number: slot,
    progress: b ? progress(b, v.cluster.engine.nowMs) : -1,
  };
}

const MONITOR_OFFLINE = null;

/** `/computer/api/json` */
export function renderComputers(v: JenkinsView, depth: number): Record<string, unknown> {
  const e = v.cluster.engine;
  const nodes = [...e.nodes.values()];
  const busy = nodes.reduce((s, n) => s + (n.online ? n.executors.filter((x) => x !== null).length : 0), 0);
  const total = nodes.reduce((s, n) => s + (n.online ? n.numExecutors : 0), 0);
  const builtIn = {
    _class: 'hudson.model.Hudson$MasterComputer',
    actions: [],
    assignedLabels: [{ name: 'built-in' }],
    description: 'the Jenkins controller\u2019s built-in node',
    displayName: 'Built-In Node',
    executors: [],
    icon: 'symbol-computer',
    iconClassName: 'symbol-computer',
    idle: true,
    jnlpAgent: false,
    launchSupported: true,
    loadStatistics: { _class: 'hudson.model.Label$1' },
    manualLaunchAllowed: true,
    monitorData: monitorData(2 * 1024 ** 3, v.cluster.engine.nowMs),
    numExecutors: 0,
    offline: false,
    offlineCause: null,
    offlineCauseReason: '',
    oneOffExecutors: [],
    temporarilyOffline: false,
  };
  const computers = nodes.map((n) => ({
    _class: 'org.jenkinsci.plugins.mesos.MesosComputer',
    actions: [],
    assignedLabels: [{ name: n.label }, { name: n.name }],
    description: `Mesos agent for label ${n.label}`,
    displayName: n.name,
    executors: n.executors.map((_, i) => executorJson(v, n, i, depth)),
    icon: n.online ? 'symbol-computer' : 'symbol-computer-offline',
    iconClassName: n.online ? 'symbol-computer' : 'symbol-computer-offline',
    idle: n.executors.every((x) => x === null),
    jnlpAgent: true,
    launchSupported: false,
    loadStatistics: { _class: 'hudson.model.Label$1' },
    manualLaunchAllowed: true,
    monitorData: n.online ? monitorData(Math.round((e.tasks.get(n.taskId)?.resources.memMb ?? 0) * 1024 * 1024), e.nowMs) : MONITOR_OFFLINE,
    numExecutors: n.numExecutors,
    offline: !n.online,
    offlineCause: null,
    offlineCauseReason: '',
    oneOffExecutors: [],
    temporarilyOffline: false,
  }));
  return { _class: 'hudson.model.ComputerSet', busyExecutors: busy, computer: [builtIn, ...computers], displayName: 'Nodes', totalExecutors: total };
}

function monitorData(memBytes: number, nowMs: number): Record<string, unknown> {
  const disk = (path: string) => ({ _class: 'hudson.node_monitors.DiskSpaceMonitorDescriptor$DiskSpace', timestamp: nowMs, path, size: 20 * 1024 ** 3 });
  return {
    'hudson.node_monitors.SwapSpaceMonitor': {
      _class: 'hudson.node_monitors.SwapSpaceMonitor$MemoryUsage2',
      availablePhysicalMemory: Math.round(memBytes / 2),
      availableSwapSpace: 0,
      totalPhysicalMemory: memBytes,
      totalSwapSpace: 0,
    },
    'hudson.node_monitors.TemporarySpaceMonitor': disk('/tmp'),
    'hudson.node_monitors.DiskSpaceMonitor': disk('/home/jenkins'),
    'hudson.node_monitors.ArchitectureMonitor': 'Linux (amd64)',
    'hudson.node_monitors.ResponseTimeMonitor': { _class: 'hudson.node_monitors.ResponseTimeMonitor$Data', timestamp: nowMs, average: 1 },
    'hudson.node_monitors.ClockMonitor': { _class: 'hudson.util.ClockDifference', diff: 0 },
  };
}
