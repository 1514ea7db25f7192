export { startEmulatedCluster, scaledClock } from './start.js';
export type { StartOptions, EmulatorUrls, RunningEmulator } from './start.js';
export { JsonServer, json } from './http.js';
export type { Handler, Reply } from './http.js';
export { EmulatedCluster, jobPath, ClusterEngine, buildNodeName, waitingForExecutorWhy, EXECUTOR_OVERHEAD, ASKING_RIGHTSIZE_WHY } from './cluster/index.js';
export type {
  AskCounts,
  AskStats,
  LabelChoice,
  LabelFallbackReason,
  EmulatedClusterOptions,
  ExecutorUsage,
  EngineOptions,
  AgentState,
  BuildKey,
  BuildResult,
  BuildState,
  EngineEvent,
  JobState,
  NodeState,
  QueueItem,
  TaskState,
  TaskStateName,
} from './cluster/index.js';
export {
  parseScenario,
  validateScenario,
  loadScenarioFile,
  taskRequest,
  ScenarioSchema,
  resolveScenarioPath,
  SCENARIOS_DIR,
  Prng,
  hashString,
  planBuild,
  workloadArgs,
  modelUsage,
  cpuPhases,
  drawDurationMs,
} from './scenario/index.js';
export type { Scenario, JobSpec, LabelSpec, CpuProfile, DurationSpec, BuildPlan, PlanPhase } from './scenario/index.js';
export { DockerRuntime, dockerReachable, dockerClient, usageFromDockerStats, EMULATOR_LABEL, ModelRuntime, readCgroupUsage } from './runtime/index.js';
export type { Runtime, UsageMode, ContainerUsage, BuildLaunch, BuildExit } from './runtime/index.js';
export { FAILOVER_PATH, KILL_PATH } from './mesos/index.js';
export type { KillServer } from './mesos/index.js';
export { parseTree, applyTree, treeDepth, TreeSyntaxError, askUrl, choiceFromAnswer, httpLabelAsker, DEFAULT_ASK_TIMEOUT_MS, ASK_STATUS_PATH } from './jenkins/index.js';
export type { TreeNode, AskRightsizeOptions, LabelAsker } from './jenkins/index.js';
