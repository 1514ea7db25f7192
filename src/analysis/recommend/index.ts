export { DEFAULT_POLICY, DEFAULT_CPU_LADDER, DEFAULT_MEMORY_LADDER, withPolicy, roundUpToLadder } from './policy.js';
export type { RecommenderPolicy, ResourcePolicy, LadderStep } from './policy.js';
export { toBuildRecord, workloadKey } from './records.js';
export type { BuildRecord } from './records.js';
export { recommendCore, selectBuilds, cpuSignalValue, cpuCensoredNeed, memorySignalValue } from './core.js';
export { isCpuCensored, isMemoryCensored, isCensored } from './censor.js';
export type { CensorThresholds } from './censor.js';
export type { CoreRecommendation, ResourceEstimate, ReasonCode } from './core.js';
export {
  recommendWorkload,
  recommendJobs,
  toRecommendationDoc,
  confidenceFor,
  severityFor,
  buildRate,
  currentFromBuilds,
} from './workload.js';
export type { WorkloadInput } from './workload.js';
export { MARATHON_WINDOW_MS, recommendMarathonApp, recommendMarathonAppFromWindows } from './marathon.js';
export type { AppSample, AppWindow, MarathonAppInput, MarathonAppWindowsInput } from './marathon.js';
