export { MESOS_MB_BYTES, mbToBytes, parseResources } from './parseCommon.js';
export { parseMetricsSnapshot, parseMasterState, agentDocsFromState, parseRoles, baseUrlFromPid, agentUrlsFromState } from './parseMaster.js';
export type { SnapshotContext, SnapshotInfo, MasterStateContext, RolesContext } from './parseMaster.js';
export {
  parseAgentStatistics,
  cpuCoresBetween,
  workingSetBytes,
  containerDocFromReading,
  parseAgentState,
  MEMORY_LIMIT_TOLERANCE,
  CFS_RATE_TOLERANCE,
} from './parseAgent.js';
export type { ExecutorDocContext, ExecutorDocResult } from './parseAgent.js';
export { MARATHON_FRAMEWORK_NAME, marathonAppIdFromTaskId, marathonAppIdOf } from './marathon.js';
export type {
  MesosResources,
  MesosTaskInfo,
  MesosAgentInfo,
  MesosExecutorInfo,
  MesosFrameworkInfo,
  MasterStateInfo,
  ExecutorStatistics,
  ExecutorReading,
  AgentExecutorInfo,
  AgentStateInfo,
  CpuRate,
} from './types.js';
export { MesosMasterCollector } from './MesosMasterCollector.js';
export type { MesosMasterCollectorOptions } from './MesosMasterCollector.js';
export { MesosAgentCollector } from './MesosAgentCollector.js';
export type { MesosAgentCollectorOptions } from './MesosAgentCollector.js';
export { mesosCollectorsFromConfig } from './fromConfig.js';
export type { MesosCollectors } from './fromConfig.js';
