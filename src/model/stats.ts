/**
 * Counters the shell keeps and the metrics endpoint (`collect --metrics-port`) shows. They are
 * plain data, so the API renders them without depending on the scheduler or the summarizer.
 */

/** Counters of one collection target, all monotonic except `consecutiveFailures` and the `last*`/`next*` fields. */
export interface TargetStats {
  readonly target: string;
  readonly polls: number;
  readonly failedPolls: number;
  readonly skippedTicks: number;
  readonly documents: number;
  readonly itemErrors: number;
  readonly skipped: Readonly<Record<string, number>>;
  readonly consecutiveFailures: number;
  /** `<CODE>: <message>` of the last failed poll. */
  readonly lastError?: string;
  readonly lastPollMs?: number;
  readonly nextDelayMs: number;
}

/** Counters of the build summarizer; monotonic except `pending`. */
export interface BuildSummarizerStats {
  /** Finished builds handed to `enqueue` (repeats of a pending build not counted). */
  readonly received: number;
  /** Waiting for their grace period or a retry. */
  readonly pending: number;
  /** `builds` documents written to the sink. */
  readonly written: number;
  /** Of `written`: builds with no readings (a document with the request and no usage). */
  readonly withoutSamples: number;
  /** Of `written`: builds whose task request was unknown. */
  readonly withoutRequest: number;
  /** Searches that failed and were scheduled again. */
  readonly retries: number;
  /** Pending builds read back from the state file at start (resumed after a stop or a crash). */
  readonly resumed: number;
  /** Dropped: the pending queue overflowed. */
  readonly droppedOverflow: number;
  /** Dropped: still failing after `maxRetryAgeMs`. */
  readonly droppedExpired: number;
  /** Dropped: Elasticsearch refused the search with a 4xx (not retried). */
  readonly droppedRejected: number;
}
