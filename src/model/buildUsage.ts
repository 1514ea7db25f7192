/**
 * The usage aggregation of one build's container readings (the store computes it with one
 * search, the pure build summary reads it).
 */

/** Usage statistics of one dataset's samples of the build. Absent numbers were not measured. */
export interface DatasetUsage {
  readonly dataset: string;
  /** Documents (readings), including first readings that carry no CPU figure; not the final exit documents. */
  readonly samples: number;
  /** Final documents of exited containers (`container.oom_killed` present); absent when none. */
  readonly exits?: number;
  /** Any of them OOM-killed; absent when there is no exit document. */
  readonly oomKilled?: boolean;
  /** Readings with `cpu.cores`. */
  readonly cpuSamples: number;
  readonly coresAvg?: number;
  readonly coresMax?: number;
  readonly coresP50?: number;
  readonly coresP95?: number;
  /** Σ `cpu.core_seconds`. */
  readonly coreSecondsSum: number;
  /** Readings with `cpu.core_seconds` (older documents may lack it). */
  readonly coreSecondsSamples: number;
  /** Σ `cpu.interval_ms`: the time the CPU readings cover. */
  readonly intervalMsSum: number;
  /** Σ `cpu.throttled.time_ms`, when any reading carried it. */
  readonly throttledMsSum?: number;
  readonly workingSetAvgBytes?: number;
  readonly workingSetMaxBytes?: number;
  /** max `memory.peak_bytes`. */
  readonly peakMaxBytes?: number;
  /** max `memory.limit_bytes`. */
  readonly memoryLimitMaxBytes?: number;
  /** The containers the readings came from, with their first and last reading. */
  readonly containers: readonly SampleSpan[];
}

/** A group of readings and the time they span. */
export interface SampleSpan {
  readonly key: string;
  readonly samples: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

/** The usage aggregation of one build, reduced to typed numbers. */
export interface BuildUsageAggregation {
  readonly datasets: readonly DatasetUsage[];
  /** Builds (`<job>#<number>`) whose readings named the build's node in the window, this build included. */
  readonly nodeBuilds: readonly SampleSpan[];
}
