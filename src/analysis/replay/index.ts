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
export { runReplay, walkForward, bootstrap, bootstrapAll, totals, midpointMs } from './engine.js';
export type { ReplayResult, ReplayOptions, PolicyMetrics, JobSums, Interval, Totals, Agg } from './engine.js';
