export {
  MESOS_MB_BYTES,
  mbToBytes,
  parseResources,
  parseMetricsSnapshot,
  parseMasterState,
  agentDocsFromState,
  parseRoles,
  baseUrlFromPid,
  dockerEndpointFromTemplate,
  parseAgentStatistics,
  cpuCoresBetween,
  workingSetBytes,
  containerDocFromReading,
  parseAgentState,
  agentUrlsFromState,
  dockerEndpointsFromState,
  MARATHON_FRAMEWORK_NAME,
  marathonAppIdFromTaskId,
  marathonAppIdOf,
} from './parse.js';
export type {
  ParseResult,
  SnapshotContext,
  SnapshotInfo,
  MasterStateContext,
  RolesContext,
  ExecutorDocContext,
  ExecutorDocResult,
} from './parse.js';
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
