export {
  statusQuoPolicy,
  krrPolicy,
  vpaPolicy,
  oursPolicy,
  clairvoyantPolicy,
  staticOraclePolicy,
  DecayingHistogram,
} from './policies.js';
export type { ReplayPolicy, Allocation, LadderPair } from './policies.js';
export { runReplay, walkForward, bootstrap, midpointMs } from './engine.js';
export type { ReplayResult, ReplayOptions, PolicyMetrics, JobSums, Interval } from './engine.js';
