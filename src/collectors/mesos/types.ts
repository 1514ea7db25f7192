/**
 * Intermediate, typed views of Mesos responses (what the pure parsers in `parseMaster.ts` and `parseAgent.ts` extract and
 * the collectors and the container → task → build join use). Units are in the names; Mesos MB
 * are already converted to bytes (1 MB = 1,048,576 bytes, as Mesos means MiB).
 */

/** Scalar resources of a task, executor or agent. */
export interface MesosResources {
  readonly cpus?: number;
  readonly memBytes?: number;
  readonly diskBytes?: number;
  readonly gpus?: number;
}

/** One task as the leading master (or an agent) knows it. */
export interface MesosTaskInfo {
  readonly taskId: string;
  readonly name?: string;
  readonly frameworkId?: string;
  readonly frameworkName?: string;
  readonly agentId?: string;
  /**
   * The executor running it. A task launched with the command executor has `executor_id: ""`
   * in the state; the agent then names that executor after the task, so this is the task id.
   */
  readonly executorId?: string;
  readonly state?: string;
  /** What the task asked for (not what it uses). */
  readonly request: MesosResources;
  /** From the newest `statuses[].container_status.container_id.value`, when reported. */
  readonly containerId?: string;
}

/** One agent as the leading master lists it. */
export interface MesosAgentInfo {
  readonly id: string;
  readonly hostname?: string;
  /** `slave(1)@10.0.2.121:5051`. */
  readonly pid?: string;
  readonly active?: boolean;
  readonly resources: MesosResources;
  /** Allocated to tasks and executors (absent before Mesos ~0.23). */
  readonly used?: MesosResources;
}

/** A custom executor listed under a framework in the master state (0.27: protobuf list resources). */
export interface MesosExecutorInfo {
  readonly executorId: string;
  readonly frameworkId?: string;
  readonly agentId?: string;
  readonly resources: MesosResources;
}

export interface MesosFrameworkInfo {
  readonly id: string;
  readonly name?: string;
  readonly role?: string;
  readonly used?: MesosResources;
}

/** What `/master/state` tells: leadership, agents, frameworks, and the task index for the join. */
export interface MasterStateInfo {
  /** `leader` pid, e.g. `master@10.0.4.58:5050`. */
  readonly leader?: string;
  /** This master's own pid. */
  readonly pid?: string;
  /** `leader === pid` when both are present; undefined when the state does not say. */
  readonly isLeader?: boolean;
  readonly electedTimeSecs?: number;
  readonly hostname?: string;
  readonly cluster?: string;
  readonly version?: string;
  readonly agents: readonly MesosAgentInfo[];
  readonly frameworks: readonly MesosFrameworkInfo[];
  readonly executors: readonly MesosExecutorInfo[];
  /** Active tasks by task id (the first one wins when a broken state repeats an id). */
  readonly tasks: ReadonlyMap<string, MesosTaskInfo>;
  /**
   * Ended tasks the master still lists (`completed_tasks` of `frameworks` and
   * `completed_frameworks`; Mesos keeps up to `--max_completed_tasks_per_framework`, 1000 by
   * default). A build shorter than the master poll is only ever seen here.
   */
  readonly completedTasks: ReadonlyMap<string, MesosTaskInfo>;
}

/** The subset of `ResourceStatistics` rightsize reads (mesos.proto; all optional). */
export interface ExecutorStatistics {
  /** Epoch seconds (double) when the agent took the reading. */
  readonly timestampSecs?: number;
  readonly cpusUserTimeSecs?: number;
  readonly cpusSystemTimeSecs?: number;
  /** Hard limit in cores, executor overhead included. */
  readonly cpusLimit?: number;
  readonly cpusNrPeriods?: number;
  readonly cpusNrThrottled?: number;
  readonly cpusThrottledTimeSecs?: number;
  readonly memRssBytes?: number;
  readonly memTotalBytes?: number;
  readonly memFileBytes?: number;
  readonly memCacheBytes?: number;
  readonly memLimitBytes?: number;
  readonly processes?: number;
}

/** One entry of agent `/monitor/statistics` or `/containers`. */
export interface ExecutorReading {
  readonly frameworkId: string;
  readonly executorId: string;
  readonly executorName?: string;
  readonly source?: string;
  /** Only `/containers` (and the agent state) tell it. */
  readonly containerId?: string;
  readonly statistics: ExecutorStatistics;
}

/** One executor on an agent as its `/state` lists it. */
export interface AgentExecutorInfo {
  readonly frameworkId: string;
  readonly executorId: string;
  readonly containerId?: string;
  /** Ids of the executor's active and queued tasks. */
  readonly taskIds: readonly string[];
}

/** What agent `/state` tells (for discovery and the join). */
export interface AgentStateInfo {
  readonly id?: string;
  readonly hostname?: string;
  readonly pid?: string;
  readonly resources?: MesosResources;
  /** Keyed by `${frameworkId}/${executorId}`. */
  readonly executors: ReadonlyMap<string, AgentExecutorInfo>;
  /** All active tasks on the agent by id. */
  readonly tasks: ReadonlyMap<string, MesosTaskInfo>;
}

/** Result of {@link cpuCoresBetween}: a rate, or why there is none. */
export type CpuRate =
  | { readonly ok: true; readonly cores: number; readonly intervalMs: number }
  | { readonly ok: false; readonly skip: 'first_reading' | 'missing_counters' | 'non_increasing_time' | 'counter_reset' | 'implausible_rate' }
  /** More cores than the host has: an item error (`RS_ERR_PARSE_RANGE`), not a skip. */
  | { readonly ok: false; readonly skip: 'out_of_range'; readonly cores: number; readonly maxCores: number };
