export { ClusterEngine, buildNodeName, waitingForExecutorWhy, EXECUTOR_OVERHEAD } from './engine.js';
export type { EngineOptions } from './engine.js';
export { EmulatedCluster, jobPath } from './EmulatedCluster.js';
export type { EmulatedClusterOptions, ExecutorUsage } from './EmulatedCluster.js';
export type {
  AgentState,
  BuildKey,
  BuildResult,
  BuildState,
  EngineEvent,
  JobState,
  MasterCounters,
  MasterState,
  NodeState,
  QueueItem,
  QueueItemState,
  Resources,
  TaskState,
  TaskStateName,
  TaskStatus,
} from './types.js';
