import { EXECUTOR_OVERHEAD } from '../cluster/engine.js';
import type { EmulatedCluster, ExecutorUsage } from '../cluster/EmulatedCluster.js';
import type { AgentState, AppTaskState, TaskState } from '../cluster/types.js';

/** Host figures for `system/*` keys (bytes, load averages). */
export interface SystemInfo {
  readonly cpusTotal: number;
  readonly load: readonly [number, number, number];
  readonly memTotalBytes: number;
  readonly memFreeBytes: number;
}

/** Where each emulated process listens (host:port). */
export interface Endpoints {
  readonly masters: ReadonlyArray<{ host: string; port: number }>;
  readonly agents: ReadonlyArray<{ host: string; port: number }>;
}

const PORTS_RANGE = '[31000-32000]';
const GIT_SHA = 'de306b5786de3c221bae1457c6f2ccaeb38eef9f';
const r = (v: number) => Math.round(v * 1e6) / 1e6;

function res(cpus: number, memMb: number, diskMb: number, ports?: string): Record<string, number | string> {
  const out: Record<string, number | string> = { disk: r(diskMb), mem: r(memMb), gpus: 0, cpus: r(cpus) };
  if (ports !== undefined) out['ports'] = ports;
  return out;
}

function masterPid(ep: Endpoints, i: number): string {
  const m = ep.masters[i]!;
  return `master@${m.host}:${m.port}`;
}

function agentPid(ep: Endpoints, i: number): string {
  const a = ep.agents[i]!;
  return `slave(1)@${a.host}:${a.port}`;
}

function taskJson(c: EmulatedCluster, t: TaskState): Record<string, unknown> {
  const image = c.engine.label(t.label)?.dockerImage ?? 'rightsize/workload:latest';
  return {
    id: t.id,
    name: t.name,
    framework_id: c.engine.frameworkId,
    // Command-executor tasks have an empty executor_id in master state.
    executor_id: '',
    slave_id: t.agentId,
    state: t.state,
    resources: res(t.resources.cpus, t.resources.memMb, t.resources.diskMb),
    statuses: t.statuses.map((s) => ({
      state: s.state,
      timestamp: s.timestamp,
      container_status: { container_id: { value: t.containerId } },
    })),
    labels: [],
    container: { type: 'DOCKER', docker: { image, network: 'NONE', privileged: false, force_pull_image: false } },
  };
}

/** A Marathon app instance as Mesos lists it: command executor (`executor_id` ""), the app's resources. */
function appTaskJson(c: EmulatedCluster, t: AppTaskState): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    framework_id: c.engine.marathonFrameworkId,
    executor_id: '',
    slave_id: t.agentId,
    state: t.state,
    resources: res(t.resources.cpus, t.resources.memMb, t.resources.diskMb),
    statuses: t.statuses.map((s) => ({
      state: s.state,
      timestamp: s.timestamp,
      container_status: { container_id: { value: t.containerId } },
    })),
    labels: [],
    container: { type: 'DOCKER', docker: { image: 'rightsize/workload:latest', network: 'NONE', privileged: false, force_pull_image: false } },
  };
}

/** True when the scenario has Marathon apps: only then is the `marathon` framework registered. */
function hasMarathon(c: EmulatedCluster): boolean {
  return (c.engine.scenario.marathonApps ?? []).length > 0;
}

/** The `marathon` framework in `/master/state` (Marathon registers as `marathon`, user root, role `*`). */
function marathonFrameworkJson(c: EmulatedCluster, ep: Endpoints): Record<string, unknown> {
  const e = c.engine;
  const tasks = [...e.appTasks.values()];
  const sum = tasks.reduce((a, t) => ({ cpus: a.cpus + t.resources.cpus, memMb: a.memMb + t.resources.memMb, diskMb: a.diskMb + t.resources.diskMb }), { cpus: 0, memMb: 0, diskMb: 0 });
  const used = res(sum.cpus, sum.memMb, sum.diskMb);
  const host = ep.masters[0]?.host ?? '127.0.0.1';
  return {
    id: e.marathonFrameworkId,
    name: 'marathon',
    pid: `scheduler-${e.marathonFrameworkId}@${host}:0`,
    used_resources: used,
    offered_resources: res(0, 0, 0),
    capabilities: ['PARTITION_AWARE'],
    hostname: host,
    webui_url: `http://${host}:8080`,
    active: true,
    connected: true,
    recovered: false,
    user: 'root',
    failover_timeout: 604800,
    checkpoint: true,
    registered_time: e.startMs / 1000,
    unregistered_time: 0,
    resources: used,
    role: '*',
    tasks: tasks.map((t) => appTaskJson(c, t)),
    completed_tasks: [],
    offers: [],
    executors: [],
  };
}

function frameworkJson(c: EmulatedCluster, ep: Endpoints, tasks: TaskState[], completed: TaskState[]): Record<string, unknown> {
  const e = c.engine;
  const sum = tasks.reduce((a, t) => ({ cpus: a.cpus + t.resources.cpus, memMb: a.memMb + t.resources.memMb, diskMb: a.diskMb + t.resources.diskMb }), { cpus: 0, memMb: 0, diskMb: 0 });
  const used = res(sum.cpus, sum.memMb, sum.diskMb);
  return {
    id: e.frameworkId,
    name: 'Jenkins Scheduler',
    pid: `scheduler-${e.masters[0]!.id}@${ep.masters[0]?.host ?? '127.0.0.1'}:0`,
    used_resources: used,
    offered_resources: res(0, 0, 0),
    capabilities: [],
    hostname: ep.masters[0]?.host ?? '127.0.0.1',
    webui_url: '',
    active: true,
    connected: true,
    recovered: false,
    user: 'jenkins',
    failover_timeout: 0,
    checkpoint: false,
    registered_time: e.startMs / 1000,
    unregistered_time: 0,
    resources: used,
    role: e.scenario.mesos.role,
    tasks: tasks.map((t) => taskJson(c, t)),
    completed_tasks: completed.map((t) => taskJson(c, t)),
    offers: [],
    executors: [],
  };
}

/** `/master/state` of the leading master (Mesos 1.x JSON). */
export function renderMasterState(c: EmulatedCluster, ep: Endpoints, index: number): Record<string, unknown> {
  const e = c.engine;
  const m = e.masters[index]!;
  const leader = e.masters[e.leader]!;
  const lp = ep.masters[e.leader]!;
  const tasks = [...e.tasks.values()];
  const completed = e.completedTasks.filter((t) => (t.endedMs ?? 0) >= (leader.electedMs ?? 0));
  return {
    version: e.scenario.mesos.version,
    git_sha: GIT_SHA,
    build_date: '2017-03-01 00:00:00',
    build_time: 1488326400,
    build_user: 'rightsize-emulator',
    start_time: m.startMs / 1000,
    elected_time: (m.electedMs ?? m.startMs) / 1000,
    id: m.id,
    pid: masterPid(ep, index),
    hostname: ep.masters[index]!.host,
    activated_slaves: e.agents.length,
    deactivated_slaves: 0,
    leader: masterPid(ep, e.leader),
    leader_info: { id: leader.id, pid: masterPid(ep, e.leader), port: lp.port, hostname: lp.host },
    cluster: e.scenario.name,
    flags: {
      allocation_interval: '1secs',
      allocator: 'HierarchicalDRF',
      authenticate_http_readonly: 'false',
      cluster: e.scenario.name,
      hostname_lookup: 'false',
      max_completed_frameworks: '50',
      max_completed_tasks_per_framework: '1000',
      port: String(ep.masters[index]!.port),
      quorum: String(Math.floor(e.masters.length / 2) + 1),
      registry: 'replicated_log',
      work_dir: '/var/lib/mesos/master',
    },
    slaves: e.agents.map((a) => agentSummary(c, ep, a)),
    frameworks: [frameworkJson(c, ep, tasks, completed), ...(hasMarathon(c) ? [marathonFrameworkJson(c, ep)] : [])],
    completed_frameworks: [],
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

function agentSummary(c: EmulatedCluster, ep: Endpoints, a: AgentState): Record<string, unknown> {
  const unreserved = res(a.total.cpus, a.total.memMb, a.total.diskMb, PORTS_RANGE);
  return {
    id: a.id,
    pid: agentPid(ep, a.index),
    hostname: ep.agents[a.index]!.host,
    registered_time: a.registeredMs / 1000,
    resources: res(a.total.cpus, a.total.memMb, a.total.diskMb, PORTS_RANGE),
    used_resources: res(a.used.cpus, a.used.memMb, a.used.diskMb),
    offered_resources: res(0, 0, 0),
    reserved_resources: {},
    unreserved_resources: unreserved,
    attributes: {},
    active: true,
    version: c.engine.scenario.mesos.version,
  };
}

const SUMMARY_STATES = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_KILLED', 'TASK_FAILED', 'TASK_LOST', 'TASK_ERROR'] as const;

function stateCounts(tasks: readonly TaskState[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const st of SUMMARY_STATES) out[st] = tasks.filter((t) => t.state === st).length;
  return out;
}

/** `/master/state-summary`: agents and frameworks with `TASK_*` counters, no task list. */
export function renderStateSummary(c: EmulatedCluster, ep: Endpoints, index: number): Record<string, unknown> {
  const e = c.engine;
  const leader = e.masters[e.leader]!;
  const all = [...e.tasks.values(), ...e.completedTasks.filter((t) => (t.endedMs ?? 0) >= (leader.electedMs ?? 0))];
  const fw = frameworkJson(c, ep, [...e.tasks.values()], []);
  const { tasks: _tasks, completed_tasks: _completed, offers: _offers, executors: _executors, resources: _resources, role: _role, ...fwSummary } = fw;
  return {
    hostname: ep.masters[index]!.host,
    cluster: e.scenario.name,
    slaves: e.agents.map((a) => ({
      ...agentSummary(c, ep, a),
      ...stateCounts(all.filter((t) => t.agentId === a.id)),
      framework_ids: [...e.tasks.values()].some((t) => t.agentId === a.id) ? [e.frameworkId] : [],
    })),
    frameworks: [{ ...fwSummary, ...stateCounts(all), slave_ids: [...new Set([...e.tasks.values()].map((t) => t.agentId))] }],
  };
}

/** `/roles`: one entry per role with the resources its frameworks hold. */
export function renderRoles(c: EmulatedCluster): Record<string, unknown> {
  const e = c.engine;
  const total = (ts: ReadonlyArray<{ resources: { cpus: number; memMb: number; diskMb: number } }>) =>
    ts.reduce((s, t) => ({ cpus: s.cpus + t.resources.cpus, memMb: s.memMb + t.resources.memMb, diskMb: s.diskMb + t.resources.diskMb }), { cpus: 0, memMb: 0, diskMb: 0 });
  const sum = total([...e.tasks.values()]);
  if (!hasMarathon(c)) return { roles: [{ name: e.scenario.mesos.role, weight: 1, resources: res(sum.cpus, sum.memMb, sum.diskMb), frameworks: [e.frameworkId] }] };
  // Marathon runs in role `*`: shared with Jenkins when that is `*` too, else a role of its own.
  const apps = total([...e.appTasks.values()]);
  if (e.scenario.mesos.role === '*') {
    return {
      roles: [{ name: '*', weight: 1, resources: res(sum.cpus + apps.cpus, sum.memMb + apps.memMb, sum.diskMb + apps.diskMb), frameworks: [e.frameworkId, e.marathonFrameworkId] }],
    };
  }
  return {
    roles: [
      { name: e.scenario.mesos.role, weight: 1, resources: res(sum.cpus, sum.memMb, sum.diskMb), frameworks: [e.frameworkId] },
      { name: '*', weight: 1, resources: res(apps.cpus, apps.memMb, apps.diskMb), frameworks: [e.marathonFrameworkId] },
    ],
  };
}

/** Every key of a Mesos 1.x master `/metrics/snapshot` (docs/monitoring.md, GET_METRICS example). */
const MASTER_ZERO_KEYS = [
  'allocator/event_queue_dispatches', 'allocator/mesos/allocation_runs', 'allocator/mesos/event_queue_dispatches',
  'log/recovered', 'master/dropped_messages', 'master/event_queue_dispatches', 'master/event_queue_http_requests', 'master/event_queue_messages',
  'master/invalid_executor_to_framework_messages', 'master/invalid_framework_to_executor_messages', 'master/invalid_status_update_acknowledgements',
  'master/invalid_status_updates', 'master/messages_authenticate', 'master/messages_deactivate_framework', 'master/messages_decline_offers',
  'master/messages_executor_to_framework', 'master/messages_exited_executor', 'master/messages_framework_to_executor', 'master/messages_reconcile_operations',
  'master/messages_reconcile_tasks', 'master/messages_register_framework', 'master/messages_register_slave', 'master/messages_reregister_framework',
  'master/messages_reregister_slave', 'master/messages_resource_request', 'master/messages_revive_offers', 'master/messages_status_update',
  'master/messages_status_update_acknowledgement', 'master/messages_suppress_offers', 'master/messages_unregister_framework', 'master/messages_unregister_slave',
  'master/messages_update_slave', 'master/operator_event_stream_subscribers', 'master/recovery_slave_removals', 'master/slave_removals',
  'master/slave_removals/reason_registered', 'master/slave_removals/reason_unhealthy', 'master/slave_removals/reason_unregistered', 'master/slave_reregistrations',
  'master/slave_shutdowns_canceled', 'master/slave_shutdowns_completed', 'master/slave_shutdowns_scheduled', 'master/valid_executor_to_framework_messages',
  'master/valid_framework_to_executor_messages', 'master/valid_status_update_acknowledgements', 'registrar/queued_operations',
  'master/cpus_revocable_percent', 'master/cpus_revocable_total', 'master/cpus_revocable_used', 'master/mem_revocable_percent', 'master/mem_revocable_total',
  'master/mem_revocable_used', 'master/disk_revocable_percent', 'master/disk_revocable_total', 'master/disk_revocable_used', 'master/gpus_revocable_percent',
  'master/gpus_revocable_total', 'master/gpus_revocable_used', 'master/gpus_percent', 'master/gpus_total', 'master/gpus_used',
  'master/slaves_disconnected', 'master/slaves_inactive', 'master/frameworks_disconnected', 'master/frameworks_inactive', 'master/outstanding_offers',
  'master/tasks_starting', 'master/tasks_killing',
] as const;

function systemKeys(sys: SystemInfo): Record<string, number> {
  return {
    'system/cpus_total': sys.cpusTotal,
    'system/load_1min': sys.load[0],
    'system/load_5min': sys.load[1],
    'system/load_15min': sys.load[2],
    'system/mem_total_bytes': sys.memTotalBytes,
    'system/mem_free_bytes': sys.memFreeBytes,
  };
}

const pct = (used: number, total: number) => (total > 0 ? r(used / total) : 0);

/**
 * Master `/metrics/snapshot`. `master/cpus_used` is what is ALLOCATED to tasks (cores), mem/disk
 * in MB. A non-leading master answers too, with `master/elected` 0 and no cluster figures.
 * Counters count from the master's own election (they reset on failover).
 */
export function renderMasterSnapshot(c: EmulatedCluster, index: number, sys: SystemInfo): Record<string, number> {
  const e = c.engine;
  const m = e.masters[index]!;
  const elected = e.leader === index;
  const now = c.clock.nowMs();
  const out: Record<string, number> = {};
  for (const k of MASTER_ZERO_KEYS) out[k] = 0;
  Object.assign(out, systemKeys(sys));
  out['master/elected'] = elected ? 1 : 0;
  out['master/uptime_secs'] = Math.max(0, (now - m.startMs) / 1000);
  out['registrar/registry_size_bytes'] = elected ? 123 + 80 * e.agents.length : 0;
  out['registrar/state_fetch_ms'] = 0;
  out['registrar/state_store_ms'] = 0;
  const total = { cpus: 0, memMb: 0, diskMb: 0 };
  const used = { cpus: 0, memMb: 0, diskMb: 0 };
  if (elected) {
    for (const a of e.agents) {
      total.cpus += a.total.cpus;
      total.memMb += a.total.memMb;
      total.diskMb += a.total.diskMb;
      used.cpus += a.used.cpus;
      used.memMb += a.used.memMb;
      used.diskMb += a.used.diskMb;
    }
  }
  out['master/cpus_total'] = r(total.cpus);
  out['master/cpus_used'] = r(used.cpus);
  out['master/cpus_percent'] = pct(used.cpus, total.cpus);
  out['master/mem_total'] = r(total.memMb);
  out['master/mem_used'] = r(used.memMb);
  out['master/mem_percent'] = pct(used.memMb, total.memMb);
  out['master/disk_total'] = r(total.diskMb);
  out['master/disk_used'] = r(used.diskMb);
  out['master/disk_percent'] = pct(used.diskMb, total.diskMb);
  out['allocator/mesos/resources/cpus/total'] = r(total.cpus);
  out['allocator/mesos/resources/cpus/offered_or_allocated'] = r(used.cpus);
  out['allocator/mesos/resources/mem/total'] = r(total.memMb);
  out['allocator/mesos/resources/mem/offered_or_allocated'] = r(used.memMb);
  out['allocator/mesos/resources/disk/total'] = r(total.diskMb);
  out['allocator/mesos/resources/disk/offered_or_allocated'] = r(used.diskMb);
  out['master/slaves_active'] = elected ? e.agents.length : 0;
  out['master/slaves_connected'] = elected ? e.agents.length : 0;
  const frameworks = hasMarathon(c) ? 2 : 1;
  out['master/frameworks_active'] = elected ? frameworks : 0;
  out['master/frameworks_connected'] = elected ? frameworks : 0;
  const running: Array<{ state: string }> = elected ? [...e.tasks.values(), ...e.appTasks.values()] : [];
  out['master/tasks_staging'] = running.filter((t) => t.state === 'TASK_STAGING').length;
  out['master/tasks_running'] = running.filter((t) => t.state === 'TASK_RUNNING').length;
  const counters = e.masterCounters(index);
  out['master/tasks_finished'] = elected ? counters.tasks_finished : 0;
  out['master/tasks_failed'] = elected ? counters.tasks_failed : 0;
  out['master/tasks_killed'] = elected ? counters.tasks_killed : 0;
  out['master/tasks_lost'] = elected ? counters.tasks_lost : 0;
  out['master/tasks_error'] = elected ? counters.tasks_error : 0;
  out['master/valid_status_updates'] = elected ? counters.valid_status_updates : 0;
  out['master/messages_launch_tasks'] = elected ? counters.messages_launch_tasks : 0;
  out['master/messages_kill_task'] = elected ? counters.messages_kill_task : 0;
  // Agents register with the first leader and re-register with each later one.
  const first = m.electedMs === e.startMs;
  out['master/slave_registrations'] = elected && first ? e.agents.length : 0;
  out['master/slave_reregistrations'] = elected && !first ? e.agents.length : 0;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function agentTasks(c: EmulatedCluster, a: AgentState): TaskState[] {
  return [...c.engine.tasks.values()].filter((t) => t.agentId === a.id);
}

function executorName(t: TaskState): string {
  return `Command Executor (Task: ${t.id}) (Command: sh -c 'java -jar slave.jar -jnlpUrl ...')`;
}

/**
 * Agent `/monitor/statistics`: one entry per executor (Jenkins node), with the fields the Mesos
 * Docker containerizer fills. Limits include the command executor's 0.1 cpu / 32 MB.
 */
export function renderAgentStatistics(c: EmulatedCluster, agentIndex: number): Array<Record<string, unknown>> {
  const a = c.engine.agents[agentIndex]!;
  const builds = agentTasks(c, a)
    .filter((t) => t.state === 'TASK_RUNNING')
    .map((t) => {
      const u = c.executorUsage(t.id);
      return {
        executor_id: t.id,
        executor_name: executorName(t),
        framework_id: c.engine.frameworkId,
        source: t.id,
        statistics: statisticsJson(t, u),
      };
    });
  const apps = runningApps(c, a).map((t) => ({
    executor_id: t.id,
    executor_name: appExecutorName(t),
    framework_id: c.engine.marathonFrameworkId,
    source: t.id,
    statistics: statisticsJson(t, c.executorUsage(t.id)),
  }));
  return [...builds, ...apps];
}

function runningApps(c: EmulatedCluster, a: AgentState): AppTaskState[] {
  return c.engine.appTasksOn(a.id).filter((t) => t.state === 'TASK_RUNNING');
}

function appExecutorName(t: AppTaskState): string {
  return `Command Executor (Task: ${t.id}) (Command: sh -c '/usr/local/bin/workload ...')`;
}

function statisticsJson(t: Pick<TaskState, 'resources'>, u: ExecutorUsage): Record<string, number> {
  return {
    cpus_limit: r(t.resources.cpus + EXECUTOR_OVERHEAD.cpus),
    cpus_nr_periods: u.nrPeriods,
    cpus_nr_throttled: u.nrThrottled,
    cpus_system_time_secs: u.cpuSystemSecs,
    cpus_throttled_time_secs: u.throttledSecs,
    cpus_user_time_secs: u.cpuUserSecs,
    mem_limit_bytes: Math.round((t.resources.memMb + EXECUTOR_OVERHEAD.memMb) * 1024 * 1024),
    mem_rss_bytes: u.rssBytes,
    timestamp: u.timestampSec,
  };
}

/**
 * Agent `/containers`: like `/monitor/statistics` plus `container_id` (and `container_status`),
 * one entry per running build container, so `mesos-<container_id>` joins to Docker exactly.
 */
export function renderAgentContainers(c: EmulatedCluster, agentIndex: number): Array<Record<string, unknown>> {
  const a = c.engine.agents[agentIndex]!;
  return agentTasks(c, a)
    .filter((t) => t.state === 'TASK_RUNNING')
    .flatMap((t) =>
      c.containersOf(t.id).map((ct) => ({
        container_id: ct.containerId,
        container_status: { container_id: { value: ct.containerId } },
        executor_id: t.id,
        executor_name: executorName(t),
        framework_id: c.engine.frameworkId,
        source: t.id,
        statistics: statisticsJson(t, ct.usage),
      })),
    )
    .concat(
      runningApps(c, a).map((t) => ({
        container_id: t.containerId,
        container_status: { container_id: { value: t.containerId } },
        executor_id: t.id,
        executor_name: appExecutorName(t),
        framework_id: c.engine.marathonFrameworkId,
        source: t.id,
        statistics: statisticsJson(t, c.executorUsage(t.id)),
      })),
    );
}

/** Agent `/state`. */
export function renderAgentState(c: EmulatedCluster, ep: Endpoints, agentIndex: number): Record<string, unknown> {
  const e = c.engine;
  const a = e.agents[agentIndex]!;
  const tasks = agentTasks(c, a);
  const completed = e.completedTasks.filter((t) => t.agentId === a.id).slice(-50);
  const executor = (t: TaskState) => ({
    id: t.id,
    name: executorName(t),
    source: t.id,
    // The container of the build running on it (later builds on a reusable agent get their own).
    container: c.containersOf(t.id).length === 1 ? c.containersOf(t.id)[0]!.containerId : t.containerId,
    directory: `/var/lib/mesos/slaves/${a.id}/frameworks/${e.frameworkId}/executors/${t.id}/runs/${t.containerId}`,
    resources: res(t.resources.cpus + EXECUTOR_OVERHEAD.cpus, t.resources.memMb + EXECUTOR_OVERHEAD.memMb, t.resources.diskMb),
    tasks: t.state === 'TASK_STAGING' || t.state === 'TASK_RUNNING' ? [taskJson(c, t)] : [],
    queued_tasks: [],
    completed_tasks: t.state === 'TASK_STAGING' || t.state === 'TASK_RUNNING' ? [] : [taskJson(c, t)],
  });
  const lp = ep.masters[e.leader]!;
  const apps = e.appTasksOn(a.id);
  const appExecutor = (t: AppTaskState) => ({
    id: t.id,
    name: appExecutorName(t),
    source: t.id,
    container: t.containerId,
    directory: `/var/lib/mesos/slaves/${a.id}/frameworks/${e.marathonFrameworkId}/executors/${t.id}/runs/${t.containerId}`,
    resources: res(t.resources.cpus + EXECUTOR_OVERHEAD.cpus, t.resources.memMb + EXECUTOR_OVERHEAD.memMb, t.resources.diskMb),
    tasks: [appTaskJson(c, t)],
    queued_tasks: [],
    completed_tasks: [],
  });
  const marathon =
    apps.length === 0
      ? []
      : [
          {
            id: e.marathonFrameworkId,
            name: 'marathon',
            user: 'root',
            failover_timeout: 604800,
            checkpoint: true,
            role: '*',
            hostname: ep.masters[0]?.host ?? '127.0.0.1',
            executors: apps.map(appExecutor),
            completed_executors: [],
          },
        ];
  return {
    version: e.scenario.mesos.version,
    git_sha: GIT_SHA,
    build_date: '2017-03-01 00:00:00',
    build_time: 1488326400,
    build_user: 'rightsize-emulator',
    start_time: e.startMs / 1000,
    id: a.id,
    pid: agentPid(ep, agentIndex),
    hostname: ep.agents[agentIndex]!.host,
    resources: res(a.total.cpus, a.total.memMb, a.total.diskMb, PORTS_RANGE),
    attributes: {},
    master_hostname: lp.host,
    flags: { containerizers: 'docker,mesos', port: String(ep.agents[agentIndex]!.port), work_dir: '/var/lib/mesos' },
    frameworks: [
      ...(tasks.length === 0
        ? []
        : [
            {
              id: e.frameworkId,
              name: 'Jenkins Scheduler',
              user: 'jenkins',
              failover_timeout: 0,
              checkpoint: false,
              role: e.scenario.mesos.role,
              hostname: ep.masters[0]?.host ?? '127.0.0.1',
              executors: tasks.map(executor),
              completed_executors: completed.map(executor),
            },
          ]),
      ...marathon,
    ],
    completed_frameworks: [],
  };
}

/** Agent `/metrics/snapshot` (`slave/*`, MB for mem/disk). */
export function renderAgentSnapshot(c: EmulatedCluster, agentIndex: number, sys: SystemInfo): Record<string, number> {
  const e = c.engine;
  const a = e.agents[agentIndex]!;
  const tasks: Array<{ state: string; statuses: readonly unknown[] }> = [...agentTasks(c, a), ...e.appTasksOn(a.id)];
  const done = e.completedTasks.filter((t) => t.agentId === a.id);
  const out: Record<string, number> = {
    'slave/cpus_percent': pct(a.used.cpus, a.total.cpus),
    'slave/cpus_total': a.total.cpus,
    'slave/cpus_used': r(a.used.cpus),
    'slave/gpus_percent': 0,
    'slave/gpus_total': 0,
    'slave/gpus_used': 0,
    'slave/disk_percent': pct(a.used.diskMb, a.total.diskMb),
    'slave/disk_total': a.total.diskMb,
    'slave/disk_used': r(a.used.diskMb),
    'slave/mem_percent': pct(a.used.memMb, a.total.memMb),
    'slave/mem_total': a.total.memMb,
    'slave/mem_used': r(a.used.memMb),
    'slave/executors_registering': tasks.filter((t) => t.state === 'TASK_STAGING').length,
    'slave/executors_running': tasks.filter((t) => t.state === 'TASK_RUNNING').length,
    'slave/executors_terminated': done.length,
    'slave/executors_terminating': 0,
    'slave/frameworks_active': (agentTasks(c, a).length > 0 ? 1 : 0) + (e.appTasksOn(a.id).length > 0 ? 1 : 0),
    'slave/invalid_framework_messages': 0,
    'slave/invalid_status_updates': 0,
    'slave/recovery_errors': 0,
    'slave/registered': 1,
    'slave/tasks_failed': done.filter((t) => t.state === 'TASK_FAILED').length,
    'slave/tasks_finished': done.filter((t) => t.state === 'TASK_FINISHED').length,
    'slave/tasks_killed': done.filter((t) => t.state === 'TASK_KILLED').length,
    'slave/tasks_lost': 0,
    'slave/tasks_running': tasks.filter((t) => t.state === 'TASK_RUNNING').length,
    'slave/tasks_staging': tasks.filter((t) => t.state === 'TASK_STAGING').length,
    'slave/tasks_starting': 0,
    'slave/uptime_secs': Math.max(0, (c.clock.nowMs() - e.startMs) / 1000),
    'slave/valid_framework_messages': 0,
    'slave/valid_status_updates': tasks.reduce((s, t) => s + t.statuses.length, 0) + done.reduce((s, t) => s + t.statuses.length, 0),
    ...systemKeys(sys),
  };
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => (x < y ? -1 : 1)));
}
