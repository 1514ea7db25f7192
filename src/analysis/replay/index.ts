export {
  statusQuoPolicy,
  krrPolicy,
  vpaPolicy,
  oursPolicy,
  clairvoyantPolicy,
  staticOraclePolicy,
  hindsightQuantilePolicy,
  DecayingHistogram,
} from './policies.js';
export type { ReplayPolicy, Allocation, LadderPair } from './policies.js';
export { runReplay, walkForward, walkJob, addWholeCost, bootstrap, bootstrapAll, totals, midpointMs } from './engine.js';
export { BuildColumns } from './columns.js';
export type { ReplayResult, ReplayOptions, PolicyMetrics, JobSums, Interval, Totals, Agg, WholeCost, AllocationSink, JobContext } from './engine.js';
export { DEFAULT_SWEEP_MARGINS, sweepName, sweepPolicies, frontierPoint, frontierCheck, riskGoals, RISK_GOALS, formatFrontier, frontierSvg } from './judge.js';
export type { Resource, FrontierPoint, FrontierVerdict, GoalVerdict, PlotSeries } from './judge.js';
