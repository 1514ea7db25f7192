import type { Clock } from '../../util/index.js';
import { Prng, hashString } from '../scenario/prng.js';
import { taskRequest, type JobSpec, type LabelSpec, type MarathonAppSpec, type Scenario } from '../scenario/schema.js';
import { modelOomAtMs, planApp, planBuild } from '../scenario/workload.js';
import type {
  AgentState,
  AppTaskState,
  BuildKey,
  BuildResult,
  BuildState,
  EngineEvent,
  JobState,
  MasterCounters,
  MasterState,
  NodeState,
  QueueItem,
  TaskState,
  TaskStateName,
  LabelChoice,
} from './types.js';
import { DAY_MS } from '../../util/units.js';

/** Command-executor overhead Mesos adds to a task's container limits (0.1 cpu, 32 MB). */
export const EXECUTOR_OVERHEAD = { cpus: 0.1, memMb: 32 } as const;
const MIB = 1024 * 1024;

export interface EngineOptions {
  /**
   * When true (Docker mode), builds end only when the shell calls {@link ClusterEngine.finishBuild}
   * (the container exited). When false (model mode) they end at their planned time.
   * @defaultValue false
   */
  readonly externalCompletion?: boolean;
  /** Overrides the scenario seed. */
  readonly seed?: number;
  /**
   * Seed of the id stream (master/agent/framework ids, node names, container ids) when it
   * should differ from the workload seed, so that two emulators on one Docker engine never
   * pick the same container names. Workloads stay reproducible either way.
   * @defaultValue the workload seed
   */
  readonly idSeed?: number;
  /**
   * Jobs with `askRightsize` ask for their label before each build: their queue items wait
   * (`labelWanted` event) until the shell calls {@link ClusterEngine.resolveLabel}. False: every
   * build runs on its job's label.
   * @defaultValue false
   */
  readonly askLabels?: boolean;
}

/** The mesos-plugin 1.x node name: `mesos-jenkins-<32 hex>-<label>` cut to 63 characters (`MesosUtils.buildNodeName`). */
export function buildNodeName(hex32: string, label: string): string {
  return `mesos-jenkins-${hex32}-${label}`.slice(0, 63);
}

/**
 * Marathon's task id of an app instance: the app id without its leading `/`, `/` replaced by `_`
 * (`PathId.safePath`), a `.` and a uuid (`TaskIdUtil.taskId` in Marathon ≤ 1.4).
 *
 * @example marathonTaskId('/team/web', '7d61432d-d6a6-11e6-a564-8605ecf0a9df') === 'team_web.7d61432d-d6a6-11e6-a564-8605ecf0a9df'
 */
export function marathonTaskId(appId: string, uuid: string): string {
  return `${appId.replace(/^\//, '').split('/').join('_')}.${uuid}`;
}

/** Marathon's task name: the app id's segments reversed and dot-joined (`PathId.toHostname`): `/team/web` → `web.team`. */
export function marathonTaskName(appId: string): string {
  return appId.replace(/^\//, '').split('/').reverse().join('.');
}

/** The `why` of a queue item whose job is asking rightsize for its label (names no label, so collectors take none from it). */
export const ASKING_RIGHTSIZE_WHY = 'Waiting for rightsize to answer which label to run on';

/** Jenkins' `why` for a buildable item whose label has no free executor (`Queue_WaitingForNextAvailableExecutorOn`). */
export function waitingForExecutorWhy(label: string): string {
  return `Waiting for next available executor on \u2018${label}\u2019`;
}

function zeroCounters(): MasterCounters {
  return {
    tasks_finished: 0,
    tasks_failed: 0,
    tasks_killed: 0,
    tasks_lost: 0,
    tasks_error: 0,
    valid_status_updates: 0,
    messages_launch_tasks: 0,
    messages_kill_task: 0,
    slave_registrations: 0,
  };
}

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * The emulated Jenkins-on-Mesos cluster: agents, the Jenkins queue, mesos-plugin provisioning,
 * Mesos tasks, Jenkins nodes and builds. Pure state machine: time comes from the injected
 * clock and only moves when the shell calls {@link step}; randomness comes from the scenario's
 * seeded PRNG. It never touches timers, HTTP or Docker.
 */
export class ClusterEngine {
  readonly scenario: Scenario;
  readonly startMs: number;
  readonly agents: AgentState[] = [];
  readonly tasks = new Map<string, TaskState>();
  readonly nodes = new Map<string, NodeState>();
  readonly jobs = new Map<string, JobState>();
  readonly queue: QueueItem[] = [];
  /** Items that left the queue, kept for `/queue/item/<id>/api/json` (bounded). */
  readonly leftItems = new Map<number, QueueItem>();
  /** Ended tasks, newest last (bounded like Mesos' `max_completed_tasks_per_framework`). */
  readonly completedTasks: TaskState[] = [];
  readonly masters: MasterState[] = [];
  readonly counters: MasterCounters = zeroCounters();
  readonly frameworkId: string;
  /** The second framework, `marathon`, whose tasks are the scenario's `marathonApps` instances. */
  readonly marathonFrameworkId: string;
  /** Running Marathon app instances by task id (kept apart from the Jenkins tasks and nodes). */
  readonly appTasks = new Map<string, AppTaskState>();
  leader = 0;
  private readonly _clock: Clock;
  private readonly _external: boolean;
  private readonly _askLabels: boolean;
  private readonly _idPrng: Prng;
  private readonly _jobPrng = new Map<string, { arrivals: Prng; plans: Prng }>();
  private readonly _labels = new Map<string, LabelSpec>();
  private readonly _jobSpecs = new Map<string, JobSpec>();
  /** App instances not placed yet (no agent had room): Marathon keeps trying on later offers. */
  private readonly _pendingApps: Array<{ app: MarathonAppSpec; instance: number }> = [];
  /** Ids and plans of app instances: a stream of its own, so Jenkins ids and plans do not move. */
  private readonly _appPrng: Prng;
  private _nextQueueId = 1;
  private _events: EngineEvent[] = [];

  constructor(scenario: Scenario, clock: Clock, options: EngineOptions = {}) {
    this.scenario = scenario;
    this._clock = clock;
    this._external = options.externalCompletion ?? false;
    this._askLabels = options.askLabels ?? false;
    this.startMs = clock.nowMs();
    const seed = options.seed ?? scenario.seed;
    const root = new Prng(seed);
    this._idPrng = options.idSeed === undefined ? root.fork(0) : new Prng(options.idSeed);
    for (let i = 0; i < scenario.mesos.masters; i++) {
      this.masters.push({ index: i, id: this._idPrng.uuid(), startMs: this.startMs, electedMs: i === 0 ? this.startMs : null, baseline: zeroCounters() });
    }
    this.frameworkId = `${this.masters[0]!.id}-0000`;
    this.marathonFrameworkId = `${this.masters[0]!.id}-0001`;
    this._appPrng = new Prng(((options.idSeed ?? seed) ^ hashString('marathon')) >>> 0);
    for (const app of scenario.marathonApps ?? []) for (let i = 0; i < app.instances; i++) this._pendingApps.push({ app, instance: i });
    let agentIndex = 0;
    for (const group of scenario.agents) {
      for (let k = 0; k < group.count; k++) {
        this.agents.push({
          id: `${this.masters[0]!.id}-S${agentIndex}`,
          index: agentIndex,
          total: { cpus: group.cpus, memMb: group.memMb, diskMb: group.diskMb },
          used: { cpus: 0, memMb: 0, diskMb: 0 },
          registeredMs: this.startMs,
        });
        agentIndex++;
        this.counters.slave_registrations++;
      }
    }
    for (const l of scenario.labels) this._labels.set(l.name, l);
    for (const j of scenario.jobs) {
      this._jobSpecs.set(j.name, j);
      const base = new Prng((seed ^ hashString(j.name)) >>> 0);
      this._jobPrng.set(j.name, { arrivals: base.fork(1), plans: base.fork(2) });
      this.jobs.set(j.name, { fullName: j.name, nextBuildNumber: 1, builds: [], nextArrivalMs: this.startMs + j.firstBuildAfterSeconds * 1000 });
    }
  }

  get nowMs(): number {
    return this._clock.nowMs();
  }

  label(name: string): LabelSpec | undefined {
    return this._labels.get(name);
  }

  jobSpec(name: string): JobSpec | undefined {
    return this._jobSpecs.get(name);
  }

  /** Events since the last call (build started/finished, task launched/ended, failover). */
  drainEvents(): EngineEvent[] {
    const out = this._events;
    this._events = [];
    return out;
  }

  /** Finds a build. */
  build(job: string, number: number): BuildState | undefined {
    return this.jobs.get(job)?.builds.find((b) => b.number === number);
  }

  /** Advances the simulation to the clock's current time. Idempotent for an unchanged clock. */
  step(): void {
    const now = this.nowMs;
    this._placeApps(now);
    this._arrivals(now);
    for (const item of this.queue) {
      if (item.state === 'waiting' && !item.labelPending && item.buildableStartMs <= now) item.state = 'buildable';
    }
    this._launchTasks(now);
    if (!this._external) this._completePlanned(now);
    this._idleTermination(now);
    this._assign(now);
    this._provision(now);
    this._assign(now);
    this._updateWhy(now);
  }

  /**
   * Ends a running build (Docker mode: its container exited). `oomKilled` marks a kernel OOM
   * kill; the build then fails, and a single-use agent's task ends TASK_FAILED.
   */
  finishBuild(key: BuildKey, result: BuildResult, options: { oomKilled?: boolean } = {}): void {
    const build = this.build(key.job, key.number);
    if (!build || !build.building) return;
    this._finish(build, result, this.nowMs, options.oomKilled ?? false);
  }

  /**
   * The label a queue item of an asking job runs on (rightsize's answer or the fallback the
   * shell chose). A label the scenario does not have is not used: the job's own label is, with
   * reason `unknown-label`. The item becomes buildable at the next {@link step} (not before its
   * quiet period ends). Returns the choice applied, or undefined when the item is not waiting
   * for a label (cancelled, already resolved).
   */
  resolveLabel(itemId: number, choice: LabelChoice): LabelChoice | undefined {
    const item = this.queue.find((i) => i.id === itemId);
    if (!item || !item.labelPending) return undefined;
    const own = this._jobSpecs.get(item.job)!.label;
    const applied: LabelChoice = this._labels.has(choice.label) ? choice : { label: own, outcome: 'fallback', reason: 'unknown-label' };
    item.label = applied.label;
    item.rightsize = applied;
    item.labelPending = false;
    item.buildableStartMs = Math.max(item.buildableStartMs, this.nowMs);
    return applied;
  }

  /** Leader failover: the next master is elected; its counters start from zero, as real Mesos' do. */
  failover(newLeader?: number): number {
    const now = this.nowMs;
    const old = this.leader;
    const next = newLeader ?? (old + 1) % this.masters.length;
    if (!Number.isInteger(next) || next < 0 || next >= this.masters.length) throw new RangeError(`no master ${next}`);
    const oldMaster = this.masters[old]!;
    // A Mesos master that loses leadership exits and is restarted by its supervisor.
    oldMaster.electedMs = null;
    oldMaster.startMs = now;
    oldMaster.baseline = { ...this.counters };
    const m = this.masters[next]!;
    m.electedMs = now;
    m.baseline = { ...this.counters };
    this.leader = next;
    this._events.push({ kind: 'failover', leader: next });
    return next;
  }

  /** Counters as master `index` reports them (since it was started / elected). */
  masterCounters(index: number): MasterCounters {
    const base = this.masters[index]?.baseline ?? zeroCounters();
    const out = zeroCounters();
    for (const k of Object.keys(out) as Array<keyof MasterCounters>) out[k] = this.counters[k] - base[k];
    return out;
  }

  /** Stops everything (builds ABORTED, tasks KILLED); used when the emulator shuts down. */
  shutdown(): void {
    const now = this.nowMs;
    for (const job of this.jobs.values()) for (const b of job.builds) if (b.building) this._finish(b, 'ABORTED', now, false);
    for (const node of this.nodes.values()) if (!node.terminated) this._terminate(node, now, 'TASK_KILLED');
    for (const task of this.appTasks.values()) {
      this._status(task, 'TASK_KILLED', now);
      this.counters.tasks_killed++;
      this._release(task.agentId, task.resources);
    }
    this.appTasks.clear();
  }

  /**
   * "Build Now": queues `count` builds of `job` at the current time, as a user or an upstream
   * trigger would (tests and scripted load use it to raise the cluster's allocation on demand;
   * a scenario job with `ratePerHour: 0` then arrives only when asked). Applied on the next step.
   */
  queueBuilds(job: string, count = 1): void {
    if (!this._jobSpecs.has(job)) throw new RangeError(`no job ${job}`);
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer (got ${count})`);
    for (let i = 0; i < count; i++) this._queueItem(job, this.nowMs);
  }

  /** The Marathon app instances running (or staging) on an agent. */
  appTasksOn(agentId: string): AppTaskState[] {
    return [...this.appTasks.values()].filter((t) => t.agentId === agentId);
  }

  /**
   * Launches the pending Marathon app instances, each on the first agent with room for its
   * `cpus`/`mem`/`disk` (they take capacity from the Jenkins agents, as on a shared cluster).
   */
  private _placeApps(now: number): void {
    for (let i = 0; i < this._pendingApps.length; ) {
      const { app, instance } = this._pendingApps[i]!;
      const req = { cpus: app.cpus, memMb: app.memMb, diskMb: app.diskMb };
      const agent = this.agents.find(
        (a) => a.total.cpus - a.used.cpus >= req.cpus - 1e-9 && a.total.memMb - a.used.memMb >= req.memMb - 1e-9 && a.total.diskMb - a.used.diskMb >= req.diskMb - 1e-9,
      );
      if (!agent) {
        i++;
        continue;
      }
      this._pendingApps.splice(i, 1);
      agent.used.cpus = r6(agent.used.cpus + req.cpus);
      agent.used.memMb = r6(agent.used.memMb + req.memMb);
      agent.used.diskMb = r6(agent.used.diskMb + req.diskMb);
      const memLimitBytes = Math.round((req.memMb + EXECUTOR_OVERHEAD.memMb) * MIB);
      const task: AppTaskState = {
        id: marathonTaskId(app.id, this._appPrng.uuid()),
        name: marathonTaskName(app.id),
        appId: app.id,
        app,
        instance,
        agentId: agent.id,
        resources: req,
        containerId: this._appPrng.uuid(),
        state: 'TASK_STAGING',
        statuses: [],
        launchedMs: now,
        plan: planApp(app, this._appPrng.fork(instance + 1), memLimitBytes),
        cpuLimit: r6(req.cpus + EXECUTOR_OVERHEAD.cpus),
        memLimitBytes,
      };
      this._status(task, 'TASK_STAGING', now);
      this.counters.messages_launch_tasks++;
      this.appTasks.set(task.id, task);
      this._events.push({ kind: 'appTaskLaunched', task });
    }
  }

  private _release(agentId: string, res: { cpus: number; memMb: number; diskMb: number }): void {
    const agent = this.agents.find((a) => a.id === agentId);
    if (!agent) return;
    agent.used.cpus = r6(agent.used.cpus - res.cpus);
    agent.used.memMb = r6(agent.used.memMb - res.memMb);
    agent.used.diskMb = r6(agent.used.diskMb - res.diskMb);
  }

  // ---------------------------------------------------------------- internals

  private _arrivals(now: number): void {
    for (const [name, job] of this.jobs) {
      const spec = this._jobSpecs.get(name)!;
      const prng = this._jobPrng.get(name)!.arrivals;
      while (job.nextArrivalMs <= now) {
        const at = job.nextArrivalMs;
        this._queueItem(name, at);
        if (spec.ratePerHour <= 0) {
          job.nextArrivalMs = Infinity;
        } else {
          job.nextArrivalMs = at + Math.max(1, Math.round(prng.exponential(3_600_000 / spec.ratePerHour)));
        }
      }
    }
  }

  private _queueItem(job: string, at: number): void {
    const spec = this._jobSpecs.get(job)!;
    const quiet = this.scenario.jenkins.quietPeriodSeconds * 1000;
    const ask = this._askLabels && spec.askRightsize;
    const item: QueueItem = {
      id: this._nextQueueId++,
      job,
      inQueueSinceMs: at,
      buildableStartMs: at + quiet,
      state: quiet > 0 || ask ? 'waiting' : 'buildable',
      why: ask ? ASKING_RIGHTSIZE_WHY : quiet > 0 ? 'In the quiet period.' : null,
      cancelled: false,
      label: spec.label,
      labelPending: ask,
    };
    this.queue.push(item);
    if (ask) this._events.push({ kind: 'labelWanted', item });
  }

  private _status(task: { state: TaskStateName; readonly statuses: TaskState['statuses'] }, state: TaskStateName, now: number): void {
    task.state = state;
    task.statuses.push({ state, timestamp: now / 1000 });
    this.counters.valid_status_updates++;
  }

  private _launchTasks(now: number): void {
    const launchMs = this.scenario.mesos.launchSeconds * 1000;
    for (const task of this.appTasks.values()) if (task.state === 'TASK_STAGING' && task.launchedMs + launchMs <= now) this._status(task, 'TASK_RUNNING', now);
    for (const task of this.tasks.values()) {
      if (task.state === 'TASK_STAGING' && task.launchedMs + launchMs <= now) {
        this._status(task, 'TASK_RUNNING', now);
        const node = this.nodes.get(task.id);
        if (node) {
          node.online = true;
          node.idleSinceMs = now;
        }
      }
    }
  }

  private _completePlanned(now: number): void {
    for (const job of this.jobs.values()) {
      for (const b of job.builds) {
        if (!b.building) continue;
        const oomAt = modelOomAtMs(b.plan, b.memLimitBytes);
        if (b.startMs + oomAt <= now) this._finish(b, 'FAILURE', b.startMs + oomAt, true);
        else if (b.startMs + b.plan.durationMs <= now) this._finish(b, b.plan.exitCode === 0 ? 'SUCCESS' : 'FAILURE', b.startMs + b.plan.durationMs, false);
      }
    }
  }

  private _finish(build: BuildState, result: BuildResult, endMs: number, oomKilled: boolean): void {
    build.building = false;
    build.result = result;
    build.endMs = Math.max(endMs, build.startMs);
    build.oomKilled = oomKilled;
    this._events.push({ kind: 'buildFinished', build });
    const node = this.nodes.get(build.builtOn);
    if (!node) return;
    const slot = node.executors.findIndex((k) => k !== null && k.job === build.job && k.number === build.number);
    if (slot >= 0) node.executors[slot] = null;
    if (node.executors.every((e) => e === null)) node.idleSinceMs = this.nowMs;
    if (node.singleUse && node.executors.every((e) => e === null)) this._terminate(node, this.nowMs, oomKilled ? 'TASK_FAILED' : 'TASK_FINISHED');
    const job = this.jobs.get(build.job);
    const max = this.scenario.jenkins.maxBuildsPerJob;
    if (job && job.builds.length > max) job.builds.splice(0, job.builds.length - max);
  }

  private _terminate(node: NodeState, now: number, state: TaskStateName): void {
    node.terminated = true;
    node.online = false;
    this.nodes.delete(node.name);
    const task = this.tasks.get(node.taskId);
    if (!task) return;
    if (state === 'TASK_KILLED') this.counters.messages_kill_task++;
    this._status(task, state, now);
    task.endedMs = now;
    if (state === 'TASK_FINISHED') this.counters.tasks_finished++;
    else if (state === 'TASK_FAILED') this.counters.tasks_failed++;
    else if (state === 'TASK_KILLED') this.counters.tasks_killed++;
    const agent = this.agents.find((a) => a.id === task.agentId);
    if (agent) {
      agent.used.cpus = r6(agent.used.cpus - task.resources.cpus);
      agent.used.memMb = r6(agent.used.memMb - task.resources.memMb);
      agent.used.diskMb = r6(agent.used.diskMb - task.resources.diskMb);
    }
    this.tasks.delete(task.id);
    this.completedTasks.push(task);
    if (this.completedTasks.length > 1000) this.completedTasks.splice(0, this.completedTasks.length - 1000);
    this._events.push({ kind: 'taskEnded', task });
  }

  private _idleTermination(now: number): void {
    for (const node of [...this.nodes.values()]) {
      if (!node.online || node.executors.some((e) => e !== null)) continue;
      const label = this._labels.get(node.label);
      const idleMs = (label?.idleTerminationMinutes ?? 3) * 60_000;
      if (node.idleSinceMs + idleMs <= now) this._terminate(node, now, 'TASK_KILLED');
    }
  }

  private _estimatedDurationMs(job: JobState): number {
    // Jenkins: average of the last (up to) 3 successful builds; -1 when none.
    const ok = job.builds.filter((b) => !b.building && b.result === 'SUCCESS').slice(-3);
    if (ok.length === 0) return -1;
    return Math.round(ok.reduce((s, b) => s + ((b.endMs ?? b.startMs) - b.startMs), 0) / ok.length);
  }

  private _assign(now: number): void {
    for (const item of this.queue) {
      if (item.state !== 'buildable') continue;
      const node = [...this.nodes.values()].find(
        (n) => n.online && n.label === item.label && n.executors.some((e) => e === null) && !(n.singleUse && n.buildsStarted > 0),
      );
      if (!node) continue;
      this._start(item, node, now);
    }
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.state === 'left') this.queue.splice(i, 1);
  }

  private _start(item: QueueItem, node: NodeState, now: number): void {
    const job = this.jobs.get(item.job)!;
    const spec = this._jobSpecs.get(item.job)!;
    const task = this.tasks.get(node.taskId)!;
    const slot = node.executors.findIndex((e) => e === null);
    const number = job.nextBuildNumber++;
    node.executors[slot] = { job: item.job, number };
    node.buildsStarted++;
    const cpuLimit = r6(task.resources.cpus + EXECUTOR_OVERHEAD.cpus);
    const memLimitBytes = Math.round((task.resources.memMb + EXECUTOR_OVERHEAD.memMb) * MIB);
    const plan = planBuild(spec, this._jobPrng.get(item.job)!.plans, (now - this.startMs) / DAY_MS, memLimitBytes);
    const build: BuildState = {
      job: item.job,
      number,
      queueId: item.id,
      startMs: now,
      inQueueSinceMs: item.inQueueSinceMs,
      waitingMs: Math.max(0, item.buildableStartMs - item.inQueueSinceMs),
      buildableMs: Math.max(0, now - item.buildableStartMs),
      builtOn: node.name,
      label: item.label,
      ...(item.rightsize ? { rightsize: item.rightsize } : {}),
      executorNumber: slot,
      containerId: node.buildsStarted === 1 ? task.containerId : this._idPrng.uuid(),
      plan,
      cpuLimit,
      memLimitBytes,
      estimatedDurationMs: this._estimatedDurationMs(job),
      building: true,
      result: null,
    };
    job.builds.push(build);
    item.state = 'left';
    item.leftMs = now;
    item.why = null;
    item.executable = { job: item.job, number };
    this.leftItems.set(item.id, item);
    if (this.leftItems.size > 5000) this.leftItems.delete(this.leftItems.keys().next().value as number);
    this._events.push({ kind: 'buildStarted', build, node, task });
  }

  private _provision(now: number): void {
    // Labels whose oldest buildable item waited longest go first (offers go round, FIFO-ish).
    const oldest = new Map<string, number>();
    for (const i of this.queue) {
      if (i.state !== 'buildable') continue;
      const l = i.label;
      oldest.set(l, Math.min(oldest.get(l) ?? Infinity, i.buildableStartMs));
    }
    const order = [...oldest.entries()].sort((a, b) => a[1] - b[1]).map(([l]) => this._labels.get(l)!);
    for (const label of order) {
      const waiting = this.queue.filter((i) => i.state === 'buildable' && i.label === label.name).length;
      if (waiting === 0) continue;
      // Executors already on their way (staging) or free.
      let coming = 0;
      for (const n of this.nodes.values()) {
        if (n.label !== label.name || (n.singleUse && n.buildsStarted > 0)) continue;
        coming += n.executors.filter((e) => e === null).length;
      }
      let excess = waiting - coming;
      while (excess > 0) {
        // MesosCloud: numExecutors = max(min, min(excessWorkload, max)); single-use agents run one build.
        const n = label.singleUse ? 1 : Math.max(label.minExecutors, Math.min(excess, label.maxExecutors));
        const req = taskRequest(label, n);
        const agent = this.agents.find(
          (a) => a.total.cpus - a.used.cpus >= req.cpus - 1e-9 && a.total.memMb - a.used.memMb >= req.memMb - 1e-9 && a.total.diskMb - a.used.diskMb >= req.diskMb - 1e-9,
        );
        if (!agent) break;
        this._launch(label, n, req, agent, now);
        excess -= n;
      }
    }
  }

  private _launch(label: LabelSpec, n: number, req: { cpus: number; memMb: number; diskMb: number }, agent: AgentState, now: number): void {
    const name = buildNodeName(this._idPrng.hex(32), label.name);
    agent.used.cpus = r6(agent.used.cpus + req.cpus);
    agent.used.memMb = r6(agent.used.memMb + req.memMb);
    agent.used.diskMb = r6(agent.used.diskMb + req.diskMb);
    const task: TaskState = {
      id: name,
      name: `task ${name}`,
      agentId: agent.id,
      label: label.name,
      resources: { cpus: req.cpus, memMb: req.memMb, diskMb: req.diskMb },
      numExecutors: n,
      containerId: this._idPrng.uuid(),
      state: 'TASK_STAGING',
      statuses: [],
      launchedMs: now,
    };
    this._status(task, 'TASK_STAGING', now);
    this.counters.messages_launch_tasks++;
    this.tasks.set(name, task);
    this.nodes.set(name, {
      name,
      label: label.name,
      taskId: name,
      numExecutors: n,
      singleUse: label.singleUse,
      executors: Array.from({ length: n }, () => null),
      online: false,
      idleSinceMs: now,
      buildsStarted: 0,
      terminated: false,
    });
    this._events.push({ kind: 'taskLaunched', task });
    if (this.scenario.mesos.launchSeconds === 0) this._launchTasks(now);
  }

  private _updateWhy(now: number): void {
    for (const item of this.queue) {
      if (item.state === 'buildable') item.why = waitingForExecutorWhy(item.label);
      else if (item.state === 'waiting' && item.labelPending) item.why = ASKING_RIGHTSIZE_WHY;
      else if (item.state === 'waiting') item.why = `In the quiet period. Expires in ${Math.max(0, Math.ceil((item.buildableStartMs - now) / 1000))} sec`;
    }
  }

  /** Whether a queue item is stuck (Jenkins: waited > 10 × max(estimated duration, 60 s)). */
  isStuck(item: QueueItem): boolean {
    if (item.state !== 'buildable') return false;
    const job = this.jobs.get(item.job);
    const est = job ? this._estimatedDurationMs(job) : -1;
    return this.nowMs - item.buildableStartMs > 10 * Math.max(est, 60_000);
  }

  /** Jenkins `estimatedDuration` of a job (ms, −1 when unknown). */
  estimatedDurationMs(job: string): number {
    const j = this.jobs.get(job);
    return j ? this._estimatedDurationMs(j) : -1;
  }
}
