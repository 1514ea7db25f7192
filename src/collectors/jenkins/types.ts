/**
 * Typed views of Jenkins responses produced by the pure parsers in `parse.ts`. Instants are
 * epoch milliseconds, durations milliseconds.
 */

/**
 * A build that has finished, as the Jenkins collector reports it: the raw material of one
 * `builds` document. The build summary adds the requested resources (from the Mesos task) and
 * the measured usage (Elasticsearch aggregations over the build's container samples).
 */
export interface FinishedBuild {
  /** Jenkins base URL (redacted). */
  readonly jenkinsUrl?: string;
  /** Full job name, folders joined by `/` (`job/a/job/b` → `a/b`). */
  readonly jobName: string;
  readonly number: number;
  /** The build's URL as Jenkins reports it. */
  readonly url?: string;
  /** `SUCCESS`, `FAILURE`, `UNSTABLE`, `ABORTED`, `NOT_BUILT`; absent when Jenkins gave none. */
  readonly result?: string;
  /** Node the build ran on: `""` is the built-in node; absent for Pipeline runs (no `builtOn`). */
  readonly builtOn?: string;
  readonly queueId?: number;
  /** Build start (`timestamp`). */
  readonly startMs: number;
  readonly durationMs: number;
  /** startMs + durationMs. */
  readonly endMs: number;
  /** Time in the queue before the build started, when known. */
  readonly queue?: {
    /** Entering the queue → starting: `queuingDurationMillis`, else blocked + buildable + waiting, else measured from queue polls. */
    readonly waitMs?: number;
    /** Time buildable but waiting for an executor (`buildableDurationMillis`). */
    readonly buildableMs?: number;
    readonly source: 'time_in_queue_action' | 'queue_poll';
  };
  /** The label the queue item waited for, when the collector saw it in the queue. */
  readonly label?: string;
  /** The node an executor snapshot saw the build on (fills in for Pipeline runs without `builtOn`). */
  readonly nodeName?: string;
}

/** One item of `/queue/api/json`. */
export interface QueueItemInfo {
  /** Queue item id (absent on very old Jenkins). */
  readonly id?: number;
  readonly jobName?: string;
  readonly taskUrl?: string;
  /** The label the item waits for: from the task's label expression, else from `why`. */
  readonly label?: string;
  /** Entered the queue (`inQueueSince`, else `buildableStartMilliseconds`). */
  readonly sinceMs?: number;
  /** now − sinceMs; absent when the start is unknown or implausible. */
  readonly waitMs?: number;
  readonly blocked: boolean;
  readonly buildable: boolean;
  readonly stuck: boolean;
  readonly why?: string;
}

/** One node of `/computer/api/json`. */
export interface JenkinsNodeInfo {
  readonly name: string;
  readonly offline: boolean;
  readonly temporarilyOffline?: boolean;
  readonly numExecutors?: number;
  /** Executors running something; undefined at depth 0 where executors are `{}`. */
  readonly busyExecutors?: number;
  readonly idle?: boolean;
  readonly labels: readonly string[];
}

/** A build an executor is running right now. */
export interface RunningBuild {
  readonly nodeName: string;
  readonly jobName: string;
  readonly number: number;
  readonly url: string;
}

/** What `/computer/api/json?depth=1` (or the equivalent `tree=`) tells. */
export interface ComputerInfo {
  readonly nodes: readonly JenkinsNodeInfo[];
  readonly executors: { readonly total?: number; readonly busy?: number; readonly idle?: number };
  readonly running: readonly RunningBuild[];
}

/** A job (not a folder) found in the job tree. */
export interface JobInfo {
  /** Full name, folders joined by `/`. */
  readonly fullName: string;
  /** Path segments of the job (`['a', 'b']` for `a/b`), for building its URL. */
  readonly path: readonly string[];
  readonly url?: string;
  readonly lastCompletedNumber?: number;
  readonly lastNumber?: number;
  /**
   * False when the answer had neither `lastCompletedBuild` nor `lastBuild` (not even `null`):
   * the server ignored that part of the `tree=`, so whether there are new builds is unknown.
   */
  readonly buildRefsReported: boolean;
}
