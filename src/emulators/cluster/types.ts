import type { BuildPlan } from '../scenario/workload.js';
import type { MarathonAppSpec } from '../scenario/schema.js';

/** Mesos task states the emulator uses (`mesos.proto` TaskState). */
export type TaskStateName = 'TASK_STAGING' | 'TASK_RUNNING' | 'TASK_FINISHED' | 'TASK_FAILED' | 'TASK_KILLED';

export interface Resources {
  readonly cpus: number;
  /** MB */
  readonly memMb: number;
  /** MB */
  readonly diskMb: number;
}

export interface AgentState {
  readonly id: string;
  readonly index: number;
  readonly total: Resources;
  used: { cpus: number; memMb: number; diskMb: number };
  readonly registeredMs: number;
}

export interface TaskStatus {
  readonly state: TaskStateName;
  /** Epoch seconds, as Mesos reports them. */
  readonly timestamp: number;
}

/** A Mesos task = one Jenkins agent (node) of the mesos-plugin. */
export interface TaskState {
  /** = the Jenkins node name. */
  readonly id: string;
  readonly name: string;
  readonly agentId: string;
  readonly label: string;
  readonly resources: Resources;
  readonly numExecutors: number;
  /** Mesos ContainerID of the task's container. */
  readonly containerId: string;
  state: TaskStateName;
  readonly statuses: TaskStatus[];
  readonly launchedMs: number;
  endedMs?: number;
}

/**
 * One instance of a Marathon app: a long-running task of the `marathon` framework, launched with
 * the command executor (executor id = task id), never ending while the emulator runs.
 */
export interface AppTaskState {
  /** Marathon task id: `<app id without the leading />, / → _>.<uuid>`, e.g. `team_web.7d61432d-…`. */
  readonly id: string;
  /** Marathon's task name: the app id's segments reversed, dot-joined (`/team/web` → `web.team`). */
  readonly name: string;
  readonly appId: string;
  readonly app: MarathonAppSpec;
  /** 0-based instance number. */
  readonly instance: number;
  readonly agentId: string;
  readonly resources: Resources;
  readonly containerId: string;
  state: TaskStateName;
  readonly statuses: TaskStatus[];
  readonly launchedMs: number;
  /** The usage plan its container plays (Docker) or that is modelled. */
  readonly plan: BuildPlan;
  /** Container limits as Mesos reports them (task + command-executor overhead). */
  readonly cpuLimit: number;
  readonly memLimitBytes: number;
}

export interface NodeState {
  readonly name: string;
  readonly label: string;
  readonly taskId: string;
  readonly numExecutors: number;
  readonly singleUse: boolean;
  /** Build (job full name + number) per executor slot, or null when idle. */
  readonly executors: Array<BuildKey | null>;
  online: boolean;
  idleSinceMs: number;
  buildsStarted: number;
  terminated: boolean;
}

export interface BuildKey {
  readonly job: string;
  readonly number: number;
}

export type QueueItemState = 'waiting' | 'buildable' | 'left';

/**
 * Why a job that asks rightsize for its label ran on its configured (fallback) label:
 * `unreachable` (connection failed), `timeout` (no answer in time), `not-found` (404: no
 * recommendation yet), `http-error` (another status), `bad-answer` (not the documented JSON),
 * `no-label` (the answer names no label), `no-covering-label` (`fallback: true`: no label of the
 * cluster covers the recommendation), `unknown-label` (a label this cluster does not have).
 */
export type LabelFallbackReason = 'unreachable' | 'timeout' | 'not-found' | 'http-error' | 'bad-answer' | 'no-label' | 'no-covering-label' | 'unknown-label';

/** The label a build of an asking job was queued on, and how it was chosen. */
export interface LabelChoice {
  readonly label: string;
  readonly outcome: 'answered' | 'fallback';
  readonly reason?: LabelFallbackReason;
  /** The HTTP status, for `not-found` and `http-error`. */
  readonly status?: number;
}

export interface QueueItem {
  readonly id: number;
  readonly job: string;
  readonly inQueueSinceMs: number;
  buildableStartMs: number;
  state: QueueItemState;
  why: string | null;
  leftMs?: number;
  executable?: BuildKey;
  cancelled: boolean;
  /** The label the item waits for: the job's, or the one rightsize answered (`askRightsize`). */
  label: string;
  /** Waiting for rightsize's answer: not buildable yet, whatever the quiet period. */
  labelPending: boolean;
  /** How the label was chosen, for jobs that ask rightsize. */
  rightsize?: LabelChoice;
}

export type BuildResult = 'SUCCESS' | 'FAILURE' | 'ABORTED';

export interface BuildState {
  readonly job: string;
  readonly number: number;
  readonly queueId: number;
  /** Epoch ms the build started (Jenkins `timestamp`). */
  readonly startMs: number;
  readonly inQueueSinceMs: number;
  readonly waitingMs: number;
  readonly buildableMs: number;
  readonly builtOn: string;
  /** The label the build ran on (a Marathon app instance: ''). */
  readonly label: string;
  /** How the label was chosen, when the job asks rightsize. */
  readonly rightsize?: LabelChoice;
  readonly executorNumber: number;
  readonly containerId: string;
  readonly plan: BuildPlan;
  /** Limits of the container the build runs in, as Mesos reports them (task + executor overhead). */
  readonly cpuLimit: number;
  readonly memLimitBytes: number;
  readonly estimatedDurationMs: number;
  building: boolean;
  result: BuildResult | null;
  endMs?: number;
  oomKilled?: boolean;
}

export interface JobState {
  readonly fullName: string;
  nextBuildNumber: number;
  readonly builds: BuildState[];
  nextArrivalMs: number;
}

/** Events the engine emits for the shell (runtime, logs). */
export type EngineEvent =
  | { readonly kind: 'buildStarted'; readonly build: BuildState; readonly node: NodeState; readonly task: TaskState }
  | { readonly kind: 'buildFinished'; readonly build: BuildState }
  | { readonly kind: 'taskLaunched'; readonly task: TaskState }
  | { readonly kind: 'appTaskLaunched'; readonly task: AppTaskState }
  | { readonly kind: 'taskEnded'; readonly task: TaskState }
  /** A build of a job with `askRightsize` was queued: the shell asks rightsize, then calls `resolveLabel`. */
  | { readonly kind: 'labelWanted'; readonly item: QueueItem }
  | { readonly kind: 'failover'; readonly leader: number };

/** Cumulative Mesos master counters (never decrease; masters report them relative to their election). */
export interface MasterCounters {
  tasks_finished: number;
  tasks_failed: number;
  tasks_killed: number;
  tasks_lost: number;
  tasks_error: number;
  valid_status_updates: number;
  messages_launch_tasks: number;
  messages_kill_task: number;
  slave_registrations: number;
}

export interface MasterState {
  readonly index: number;
  readonly id: string;
  startMs: number;
  electedMs: number | null;
  baseline: MasterCounters;
}
