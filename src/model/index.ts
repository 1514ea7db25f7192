export { ECS_VERSION, ALERT_SEVERITIES } from './documents.js';
export type {
  IsoTimestamp,
  EcsBase,
  MesosIdentity,
  JenkinsIdentity,
  ContainerDoc,
  ClusterDoc,
  AgentDoc,
  RoleDoc,
  BuildDoc,
  QueueDoc,
  Confidence,
  Severity,
  AlertSeverity,
  WorkloadKind,
  Resources,
  RecommendationDoc,
  AlertStateDoc,
  AlertEventDoc,
  SilenceDoc,
} from './documents.js';
export type { Sample, SampleKind, CollectError, CollectionResult } from './samples.js';
export type { BuildFacts } from './records.js';
export type { TargetStats, BuildSummarizerStats } from './stats.js';
export type { BuildUsageAggregation, DatasetUsage, SampleSpan } from './buildUsage.js';
export type {
  Collector,
  SinkStats,
  SampleSink,
  AlertNotice,
  OutboundMessage,
  Notifier,
  StoredReport,
  ReportSink,
  Schedule,
  ScheduledJob,
  RecommendationPage,
  RecommendationPages,
  RecommendationPagesModule,
  RecommendationSourceSpec,
} from './ports.js';
