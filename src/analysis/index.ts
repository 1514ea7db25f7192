// The pure analysis core: statistics, recommender, labels and label planning, waste, replay and traces.
export { recencyWeights, effectiveSampleSize, weightedPercentile, percentile, seededRandom } from './stats/index.js';
export {
  DEFAULT_POLICY,
  DEFAULT_CPU_LADDER,
  DEFAULT_MEMORY_LADDER,
  withPolicy,
  roundUpToLadder,
  toBuildRecord,
  workloadKey,
  recommendCore,
  selectBuilds,
  isCpuCensored,
  isMemoryCensored,
  isCensored,
  cpuSignalValue,
  memorySignalValue,
  recommendWorkload,
  recommendJobs,
  toRecommendationDoc,
  confidenceFor,
  severityFor,
  buildRate,
  currentFromBuilds,
  MARATHON_WINDOW_MS,
  recommendMarathonApp,
  recommendMarathonAppFromWindows,
} from './recommend/index.js';
export type {
  RecommenderPolicy,
  ResourcePolicy,
  LadderStep,
  BuildRecord,
  CoreRecommendation,
  ResourceEstimate,
  ReasonCode,
  CensorThresholds,
  WorkloadInput,
  AppSample,
  AppWindow,
  MarathonAppInput,
  MarathonAppWindowsInput,
} from './recommend/index.js';
export { planLabels, planToJcascYaml, defaultLabelName, recommendLabels } from './labels/index.js';
export type { PlanJob, PlanOptions, LabelPlan, LabelSize, PlanAssignment } from './labels/index.js';
export {
  patchJcasc,
  plugin1Sizing,
  plugin2Sizing,
  mesosTaskRequest,
  movesGroovy,
  moveRecord,
  groovyString,
  PLUGIN1_MEM_OVERHEAD_FACTOR,
  PLUGIN2_JVM_MB,
} from './labels/index.js';
export type { MesosPluginVersion, JcascPatch, Plugin1Sizing, Plugin2Sizing } from './labels/index.js';
export { OverrideSet, overridePolicy, recommendWithOverride } from './overrides.js';
export type { WorkloadOverride, ResourceOverride, ExcludedWorkload } from './overrides.js';
export { computeWaste, weekStart } from './waste/index.js';
export type { WasteRow, WasteResult, Prices } from './waste/index.js';
export {
  statusQuoPolicy,
  krrPolicy,
  vpaPolicy,
  oursPolicy,
  clairvoyantPolicy,
  staticOraclePolicy,
  hindsightQuantilePolicy,
  DecayingHistogram,
  runReplay,
  walkForward,
  walkJob,
  addWholeCost,
  BuildColumns,
  bootstrap,
  bootstrapAll,
  totals,
  midpointMs,
  DEFAULT_SWEEP_MARGINS,
  sweepName,
  sweepPolicies,
  frontierPoint,
  frontierCheck,
  riskGoals,
  RISK_GOALS,
  formatFrontier,
  frontierSvg,
} from './replay/index.js';
export type { Resource, FrontierPoint, FrontierVerdict, GoalVerdict, PlotSeries } from './replay/index.js';
export type { ReplayPolicy, Allocation, LadderPair, ReplayResult, ReplayOptions, PolicyMetrics, JobSums, Interval, Totals, Agg, WholeCost, AllocationSink, JobContext } from './replay/index.js';
export { generateTrace, generateTraceJobs, traceJobName, ARCHETYPES, ARCHETYPE_PARAMS, TRACE_LABELS, parseTrace, validateBuildDoc, toNdjson, TraceReader } from './trace/index.js';
export type { Archetype, TraceOptions, TraceLabel, ParsedTrace, TraceProblem } from './trace/index.js';
export { formatTable, formatCsv, sortBySavings, recommendationsTable, recommendationsCsv, replayTable, wholeCostTable } from './format.js';
export { analyzeBuilds, BuildStreamAnalysis } from './analyze.js';
export type { AnalyzeOptions, AnalysisResult } from './analyze.js';
