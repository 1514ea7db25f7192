/**
 * The per-build facts the recommender, the replay and the store's job queries share, flattened
 * from a `BuildDoc` (units in names; unmeasured values are undefined, never 0).
 */
export interface BuildFacts {
  readonly job: string;
  readonly number: number;
  readonly label?: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  readonly result?: string;
  readonly requestCpuCores?: number;
  readonly requestMemoryBytes?: number;
  readonly cpuAvgCores?: number;
  readonly cpuP50Cores?: number;
  readonly cpuP95Cores?: number;
  readonly cpuMaxCores?: number;
  readonly cpuCoreSeconds?: number;
  readonly throttledRatio?: number;
  readonly memoryAvgBytes?: number;
  readonly memoryPeakBytes?: number;
  readonly sampleCount?: number;
  readonly oomKilled: boolean;
  readonly sharedAgent: boolean;
}
