export { startEmulatedCluster, scaledClock } from './start.js';
export type { StartOptions, EmulatorUrls, RunningEmulator } from './start.js';
export { EmulatedCluster, jobPath } from './cluster/EmulatedCluster.js';
export type { ExecutorUsage } from './cluster/EmulatedCluster.js';
export { ClusterEngine, buildNodeName, waitingForExecutorWhy, EXECUTOR_OVERHEAD } from './cluster/engine.js';
export type {
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
} from './cluster/types.js';
export { parseScenario, validateScenario, loadScenarioFile, taskRequest, ScenarioSchema } from './scenario/schema.js';
export type { Scenario, JobSpec, LabelSpec, CpuProfile, DurationSpec } from './scenario/schema.js';
export { resolveScenarioPath, SCENARIOS_DIR } from './scenario/builtin.js';
export { Prng, hashString } from './scenario/prng.js';
export { planBuild, workloadArgs, modelUsage, cpuPhases, drawDurationMs } from './scenario/workload.js';
export type { BuildPlan, PlanPhase } from './scenario/workload.js';
export { DockerRuntime, dockerReachable, dockerClient, usageFromDockerStats, EMULATOR_LABEL } from './runtime/DockerRuntime.js';
export { ModelRuntime } from './runtime/ModelRuntime.js';
export type { Runtime, UsageMode, ContainerUsage, BuildLaunch, BuildExit } from './runtime/types.js';
export { parseTree, applyTree, TreeSyntaxError } from './jenkins/tree.js';
export type { TreeNode } from './jenkins/tree.js';
export { FAILOVER_PATH } from './mesos/servers.js';
