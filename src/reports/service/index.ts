// The weekly report's shell: Elasticsearch reader, report sink, the scheduled job and sending.
export { weeklyFromStore } from './fromStore.js';
export type { WeeklyFromStoreOptions, WeeklyFromStoreResult } from './fromStore.js';
export { ElasticsearchReportSink, InMemoryReportSink, reportDocument, fromReportDocument } from './sink.js';
export { weeklyReportJob, runWeeklyReport, sendReport, reportMessage, lastCompleteWeek } from './job.js';
export type { WeeklyReportDeps } from './job.js';
export { clusterRequest, parseCluster, agentsRequest, parseAgents, readingsRequest, parseReadings, searchCollectorFigures, AGENT_SILENCE_MS } from './queries.js';
