import type { Clock, Logger } from '../../util/index.js';
import type { Scenario } from '../scenario/schema.js';
import { appWorkloadArgs, workloadArgs } from '../scenario/workload.js';
import type { ContainerUsage, Runtime } from '../runtime/types.js';
import { ClusterEngine } from './engine.js';
import { httpLabelAsker, type AskRightsizeOptions, type LabelAsker } from '../jenkins/askRightsize.js';
import type { AppTaskState, BuildKey, BuildState, LabelChoice, LabelFallbackReason, QueueItem, TaskState } from './types.js';

/** How the builds of the jobs that ask rightsize for their label fared (`askRightsize` jobs). */
export interface AskCounts {
  /** Questions sent. */
  asked: number;
  /** Builds queued on the label rightsize answered. */
  answered: number;
  /** Builds queued on their job's own label, by reason. */
  fallback: Partial<Record<LabelFallbackReason, number>>;
  /** Questions without an answer yet. */
  pending: number;
}

/** {@link AskCounts} overall and per job, with each job's latest label. */
export interface AskStats extends AskCounts {
  readonly jobs: Record<string, AskCounts & { lastLabel?: string }>;
}

const newCounts = (): AskCounts => ({ asked: 0, answered: 0, fallback: {}, pending: 0 });

/** Cumulative usage of one Mesos executor (= Jenkins node), summed over its builds' containers. */
export interface ExecutorUsage {
  readonly timestampSec: number;
  readonly cpuUserSecs: number;
  readonly cpuSystemSecs: number;
  readonly rssBytes: number;
  readonly nrPeriods: number;
  readonly nrThrottled: number;
  readonly throttledSecs: number;
}

export interface EmulatedClusterOptions {
  readonly scenario: Scenario;
  readonly clock: Clock;
  readonly runtime: Runtime;
  readonly logger: Logger;
  readonly seed?: number;
  /** Seed of ids and container names (see `EngineOptions.idSeed`). */
  readonly idSeed?: number;
  /** Base URL of the emulated Jenkins (ends with `/`), for the build environment. */
  jenkinsUrl?: string;
  /**
   * The rightsize API the jobs with `askRightsize` ask before each build (the groovy step's
   * behaviour). Absent: every build runs on its job's label.
   */
  readonly askRightsize?: AskRightsizeOptions;
  /** Replaces the HTTP asker (tests); implies asking. */
  readonly labelAsker?: LabelAsker;
}

const ZERO: Omit<ExecutorUsage, 'timestampSec'> = { cpuUserSecs: 0, cpuSystemSecs: 0, rssBytes: 0, nrPeriods: 0, nrThrottled: 0, throttledSecs: 0 };

/** The Jenkins URL of a job (`folder/name` → `job/folder/job/name/`). */
export function jobPath(fullName: string): string {
  return fullName
    .split('/')
    .map((p) => `job/${encodeURIComponent(p)}/`)
    .join('');
}

/**
 * The engine wired to a runtime: starts containers for started builds, feeds container exits
 * back to the engine (Docker mode), and keeps each executor's cumulative usage monotonic across
 * the builds it ran. `tick()` is the only entry point that moves the simulation.
 */
export class EmulatedCluster {
  readonly engine: ClusterEngine;
  readonly runtime: Runtime;
  readonly clock: Clock;
  private readonly _logger: Logger;
  private readonly _opts: EmulatedClusterOptions;
  /** Usage of finished builds, per task id. */
  private readonly _base = new Map<string, Omit<ExecutorUsage, 'timestampSec' | 'rssBytes'>>();
  /** Running builds per task id. */
  private readonly _running = new Map<string, BuildKey[]>();
  private readonly _exits: Array<{ key: BuildKey; exitCode: number; oomKilled: boolean }> = [];
  /** The runtime's view of each Marathon app instance, by task id. */
  private readonly _apps = new Map<string, BuildState>();
  private readonly _asker: LabelAsker | undefined;
  /** Answers that arrived, applied on the next tick. */
  private readonly _answers: Array<{ item: QueueItem; choice: LabelChoice }> = [];
  private readonly _askAbort = new AbortController();
  private readonly _ask: AskCounts = newCounts();
  private readonly _askByJob = new Map<string, AskCounts & { lastLabel?: string }>();

  constructor(opts: EmulatedClusterOptions) {
    this._opts = opts;
    this.clock = opts.clock;
    this.runtime = opts.runtime;
    this._logger = opts.logger;
    this._asker = opts.labelAsker ?? (opts.askRightsize ? httpLabelAsker(opts.askRightsize) : undefined);
    this.engine = new ClusterEngine(opts.scenario, opts.clock, {
      externalCompletion: opts.runtime.mode === 'docker',
      askLabels: this._asker !== undefined,
      ...(opts.seed === undefined ? {} : { seed: opts.seed }),
      ...(opts.idSeed === undefined ? {} : { idSeed: opts.idSeed }),
    });
  }

  set jenkinsUrl(url: string) {
    this._opts.jenkinsUrl = url;
  }

  /** Called by a runtime when a container exited; applied on the next tick. */
  reportExit(key: BuildKey, exitCode: number, oomKilled: boolean): void {
    this._exits.push({ key, exitCode, oomKilled });
  }

  /** Advances the simulation to the clock's time and reacts to what happened. */
  tick(): void {
    for (const e of this._exits.splice(0)) {
      this.engine.finishBuild(e.key, e.oomKilled ? 'FAILURE' : e.exitCode === 0 ? 'SUCCESS' : 'FAILURE', { oomKilled: e.oomKilled });
    }
    for (const a of this._answers.splice(0)) this._resolved(a.item, a.choice);
    this.engine.step();
    for (const ev of this.engine.drainEvents()) {
      switch (ev.kind) {
        case 'buildStarted':
          this._started(ev.build, ev.task);
          break;
        case 'buildFinished':
          this._finished(ev.build);
          break;
        case 'taskEnded':
          this._base.delete(ev.task.id);
          this._running.delete(ev.task.id);
          break;
        case 'failover':
          this._logger.info({ leader: ev.leader }, 'mesos leader failover');
          break;
        case 'taskLaunched':
          break;
        case 'labelWanted':
          this._askFor(ev.item);
          break;
        case 'appTaskLaunched':
          this._appLaunched(ev.task);
          break;
      }
    }
  }

  /** What the jobs that ask rightsize got so far (a copy). */
  askStats(): AskStats {
    const copy = (c: AskCounts): AskCounts => ({ asked: c.asked, answered: c.answered, fallback: { ...c.fallback }, pending: c.pending });
    const jobs: AskStats['jobs'] = {};
    for (const [job, c] of [...this._askByJob].sort(([a], [b]) => a.localeCompare(b))) jobs[job] = { ...copy(c), ...(c.lastLabel !== undefined ? { lastLabel: c.lastLabel } : {}) };
    return { ...copy(this._ask), jobs };
  }

  private _askFor(item: QueueItem): void {
    const asker = this._asker;
    if (!asker) return;
    const fallback = this.engine.jobSpec(item.job)!.label;
    const perJob = this._askByJob.get(item.job) ?? { ...newCounts() };
    this._askByJob.set(item.job, perJob);
    for (const c of [this._ask, perJob]) {
      c.asked++;
      c.pending++;
    }
    asker(item.job, fallback, this._askAbort.signal).then(
      (choice) => this._answers.push({ item, choice }),
      () => this._answers.push({ item, choice: { label: fallback, outcome: 'fallback', reason: 'unreachable' } }),
    );
  }

  private _resolved(item: QueueItem, choice: LabelChoice): void {
    const applied = this.engine.resolveLabel(item.id, choice);
    const perJob = this._askByJob.get(item.job);
    for (const c of [this._ask, perJob]) if (c) c.pending--;
    if (!applied) return;
    for (const c of [this._ask, perJob]) {
      if (!c) continue;
      if (applied.outcome === 'answered') c.answered++;
      else c.fallback[applied.reason ?? 'unreachable'] = (c.fallback[applied.reason ?? 'unreachable'] ?? 0) + 1;
    }
    if (perJob) perJob.lastLabel = applied.label;
    if (applied.outcome === 'answered') this._logger.info({ job: item.job, queueId: item.id, label: applied.label }, 'rightsize answered the label');
    else this._logger.info({ job: item.job, queueId: item.id, label: applied.label, reason: applied.reason, ...(applied.status !== undefined ? { status: applied.status } : {}) }, 'rightsize gave no label: the job’s own label is used');
  }

  /** The environment a build container gets (Mesos + Jenkins identity). */
  buildEnv(build: BuildState, task: TaskState): Record<string, string> {
    const jenkins = this._opts.jenkinsUrl ?? 'http://127.0.0.1/';
    return {
      MESOS_TASK_ID: task.id,
      MESOS_CONTAINER_NAME: `mesos-${build.containerId}`,
      MESOS_FRAMEWORK_ID: this.engine.frameworkId,
      MESOS_EXECUTOR_ID: task.id,
      MESOS_SLAVE_ID: task.agentId,
      MESOS_AGENT_ID: task.agentId,
      NODE_NAME: task.id,
      NODE_LABELS: `${task.label} ${task.id}`,
      EXECUTOR_NUMBER: String(build.executorNumber),
      JOB_NAME: build.job,
      JOB_BASE_NAME: build.job.split('/').pop() ?? build.job,
      BUILD_NUMBER: String(build.number),
      BUILD_ID: String(build.number),
      BUILD_TAG: `jenkins-${build.job.replace(/\//g, '-')}-${build.number}`,
      JENKINS_URL: jenkins,
      JOB_URL: `${jenkins}${jobPath(build.job)}`,
      BUILD_URL: `${jenkins}${jobPath(build.job)}${build.number}/`,
    };
  }

  private _started(build: BuildState, task: TaskState): void {
    const key = { job: build.job, number: build.number };
    const list = this._running.get(task.id) ?? [];
    list.push(key);
    this._running.set(task.id, list);
    this.runtime.launch({
      key,
      build,
      containerName: `mesos-${build.containerId}`,
      image: this.engine.label(task.label)?.dockerImage ?? 'rightsize/workload:latest',
      env: this.buildEnv(build, task),
      args: workloadArgs(build.plan),
      cpuLimit: build.cpuLimit,
      memLimitBytes: build.memLimitBytes,
    });
  }

  /** The runtime key of a Marathon app instance (never a Jenkins job: `:` is not allowed in job names). */
  static appKey(task: Pick<AppTaskState, 'appId' | 'instance'>): BuildKey {
    return { job: `marathon:${task.appId}`, number: task.instance + 1 };
  }

  /** The environment of an app instance's container: Mesos identity plus Marathon's `MARATHON_APP_*`. */
  appEnv(task: AppTaskState): Record<string, string> {
    return {
      MESOS_TASK_ID: task.id,
      MESOS_CONTAINER_NAME: `mesos-${task.containerId}`,
      MESOS_FRAMEWORK_ID: this.engine.marathonFrameworkId,
      MESOS_EXECUTOR_ID: task.id,
      MESOS_SLAVE_ID: task.agentId,
      MESOS_AGENT_ID: task.agentId,
      MARATHON_APP_ID: task.appId,
      MARATHON_APP_RESOURCE_CPUS: String(task.resources.cpus),
      MARATHON_APP_RESOURCE_MEM: String(task.resources.memMb),
      MARATHON_APP_RESOURCE_DISK: String(task.resources.diskMb),
    };
  }

  /**
   * Starts an app instance's container like a build's (Docker: a real `mesos-<containerId>`
   * container running the workload forever; model: usage from the plan). Its usage counts for
   * the instance's executor, as a build's does for its node.
   */
  private _appLaunched(task: AppTaskState): void {
    const key = EmulatedCluster.appKey(task);
    this._running.set(task.id, [key]);
    const build: BuildState = {
      job: key.job,
      number: key.number,
      queueId: 0,
      startMs: task.launchedMs,
      inQueueSinceMs: task.launchedMs,
      waitingMs: 0,
      buildableMs: 0,
      builtOn: task.id,
      label: '',
      executorNumber: 0,
      containerId: task.containerId,
      plan: task.plan,
      cpuLimit: task.cpuLimit,
      memLimitBytes: task.memLimitBytes,
      estimatedDurationMs: -1,
      building: true,
      result: null,
    };
    this._apps.set(task.id, build);
    this.runtime.launch({
      key,
      build,
      containerName: `mesos-${task.containerId}`,
      image: 'rightsize/workload:latest',
      env: this.appEnv(task),
      args: appWorkloadArgs(task.plan),
      cpuLimit: task.cpuLimit,
      memLimitBytes: task.memLimitBytes,
    });
  }

  private _finished(build: BuildState): void {
    const key = { job: build.job, number: build.number };
    const taskId = build.builtOn;
    const u = this.runtime.usage(key);
    if (u && this.engine.tasks.has(taskId)) {
      const b = this._base.get(taskId) ?? { ...ZERO };
      this._base.set(taskId, {
        cpuUserSecs: b.cpuUserSecs + u.cpuUserSecs,
        cpuSystemSecs: b.cpuSystemSecs + u.cpuSystemSecs,
        nrPeriods: b.nrPeriods + u.nrPeriods,
        nrThrottled: b.nrThrottled + u.nrThrottled,
        throttledSecs: b.throttledSecs + u.throttledSecs,
      });
    }
    const list = this._running.get(taskId);
    if (list) {
      const i = list.findIndex((k) => k.job === key.job && k.number === key.number);
      if (i >= 0) list.splice(i, 1);
    }
    this.runtime.release(key);
  }

  /** Cumulative usage of a task's executor: finished builds + the latest sample of running ones. */
  executorUsage(taskId: string): ExecutorUsage {
    const base = this._base.get(taskId) ?? { ...ZERO };
    let ts = 0;
    const acc = { ...base, rssBytes: 0 };
    for (const key of this._running.get(taskId) ?? []) {
      const u: ContainerUsage | undefined = this.runtime.usage(key);
      if (!u) continue;
      ts = Math.max(ts, u.timestampSec);
      acc.cpuUserSecs += u.cpuUserSecs;
      acc.cpuSystemSecs += u.cpuSystemSecs;
      acc.rssBytes += u.rssBytes;
      acc.nrPeriods += u.nrPeriods;
      acc.nrThrottled += u.nrThrottled;
      acc.throttledSecs += u.throttledSecs;
    }
    const r = (v: number) => Math.round(v * 1e3) / 1e3;
    return {
      timestampSec: ts > 0 ? ts : this.clock.nowMs() / 1000,
      cpuUserSecs: r(acc.cpuUserSecs),
      cpuSystemSecs: r(acc.cpuSystemSecs),
      rssBytes: acc.rssBytes,
      nrPeriods: acc.nrPeriods,
      nrThrottled: acc.nrThrottled,
      throttledSecs: r(acc.throttledSecs),
    };
  }

  /**
   * The containers running on a task's executor (one per running build) with their own usage;
   * before the first sample a container reports zero usage at the current time.
   */
  containersOf(taskId: string): Array<{ readonly containerId: string; readonly usage: ExecutorUsage }> {
    const out: Array<{ containerId: string; usage: ExecutorUsage }> = [];
    for (const key of this._running.get(taskId) ?? []) {
      const b = this.engine.build(key.job, key.number) ?? this._apps.get(taskId);
      if (!b) continue;
      const u = this.runtime.usage(key);
      out.push({ containerId: b.containerId, usage: u ?? { ...ZERO, timestampSec: this.clock.nowMs() / 1000 } });
    }
    return out;
  }

  /** Stops all builds and removes all containers. */
  async shutdown(): Promise<void> {
    this._askAbort.abort();
    this.engine.shutdown();
    this.engine.drainEvents();
    await this.runtime.shutdown();
  }
}
