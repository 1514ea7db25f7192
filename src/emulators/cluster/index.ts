export { ClusterEngine, buildNodeName, waitingForExecutorWhy, EXECUTOR_OVERHEAD, ASKING_RIGHTSIZE_WHY } from './engine.js';
export type { EngineOptions } from './engine.js';
export { EmulatedCluster, jobPath } from './EmulatedCluster.js';
export type { EmulatedClusterOptions, ExecutorUsage, AskCounts, AskStats } from './EmulatedCluster.js';
export type {
  AgentState,
  BuildKey,
  BuildResult,
  BuildState,
  EngineEvent,
  JobState,
  LabelChoice,
  LabelFallbackReason,
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
