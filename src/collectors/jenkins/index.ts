export {
  MIN_PLAUSIBLE_EPOCH_MS,
  MAX_CLOCK_SKEW_MS,
  jobFromUrl,
  labelFromWhy,
  parseQueue,
  parseQueueItem,
  nearestRank,
  queueDocs,
  parseComputers,
  parseJobTree,
  parseBuilds,
} from './parse.js';
export type { ParseResult, QueueContext, QueueItemDetail, QueueDocContext, JobTreeContext, BuildsContext, BuildsInfo } from './parse.js';
export type { FinishedBuild, QueueItemInfo, JenkinsNodeInfo, RunningBuild, ComputerInfo, JobInfo } from './types.js';
