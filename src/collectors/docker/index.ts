export {
  parseStatsReading,
  parseInspect,
  parseContainerList,
  parseDockerTime,
  nsBetween,
  parseStartEvents,
  parseExitEvents,
  exitFromEvents,
  exitFromInspect,
  toExitDoc,
  parseEngineInfo,
  startedBetween,
  formatDockerTimestamp,
  containerCpuCores,
  dockerCliCores,
  toContainerDoc,
  sanitizeLabels,
  mesosIdentityFromName,
  CONTAINER_ID_PATTERN,
  NO_LIMIT_BYTES,
  DEFAULT_CFS_PERIOD_US,
  MAX_TEXT_LENGTH,
  MAX_LABEL_KEY_LENGTH,
  MAX_LABELS,
  MAX_MEMORY_BYTES,
  MAX_PROCESS_COUNT,
  MAX_HOST_CPUS,
} from './parse/index.js';
export type {
  StatsParseResult,
  DockerInstant,
  StartEvent,
  ExitEvent,
  ContainerExit,
  RunningStats,
  NotRunningStats,
  CpuSnapshot,
  ThrottlingCounters,
  MemoryReading,
  CpuResult,
  CpuFigure,
  CpuSkipReason,
  CpuRateOptions,
  InspectInfo,
  InspectParseResult,
  ListedContainer,
  ContainerListResult,
  ContainerDocInput,
  EngineInfo,
} from './parse/index.js';
export { DockerCollector } from './DockerCollector.js';
export type { DockerCollectorOptions } from './DockerCollector.js';
export { collectorFromEndpoint, dockerCollectorsFromConfig } from './fromConfig.js';
export { resolveDockerEndpoints, parseDockerEndpoint, DEFAULT_DOCKER_ENDPOINT } from './endpoint.js';
export type { DockerEndpoint } from './endpoint.js';
export { EngineClient, EngineCallError } from './EngineClient.js';
export type { EngineClientOptions, EngineFailureKind } from './EngineClient.js';
export { DiscoveredDockerCollectors } from './DiscoveredDockerCollectors.js';
export { dockerEndpointFromTemplate, dockerEndpointsFromState } from './discovery.js';
export type { DiscoveredAgent } from './discovery.js';
