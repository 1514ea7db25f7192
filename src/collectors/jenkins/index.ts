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
export type { QueueContext, QueueItemDetail, QueueDocContext, JobTreeContext, JobTree, BuildsContext, BuildsInfo } from './parse.js';
export type { FinishedBuild, QueueItemInfo, JenkinsNodeInfo, RunningBuild, ComputerInfo, JobInfo } from './types.js';
export { JenkinsCollector, jobTreeQuery } from './JenkinsCollector.js';
export type { JenkinsCollectorOptions, JenkinsPoll } from './JenkinsCollector.js';
export { resolveJenkinsCredentials } from './credentials.js';
export type { JenkinsCredentialSettings } from './credentials.js';
export { jenkinsCollectorFromConfig } from './fromConfig.js';
export { jenkinsIdentityByNode, withJenkinsIdentity } from './join.js';
