export { buildUsageRequest, containerIndicesFor, parseBuildUsageAggs, searchBuildUsage } from './buildUsage.js';
export type { BuildUsageAggregation, BuildUsageAggs, BuildUsageQuery, DatasetUsage, SampleSpan } from './buildUsage.js';
export { JOB_BUILD_FIELDS, UNUSABLE_BUILD_RESULTS, jobsPageRequest, parseJobsPage, searchJobPages, toJobBuild } from './jobs.js';
export type { JobBucket, JobBuild, JobStats, JobsPage, JobsPageQuery } from './jobs.js';
export {
  emptyWriteStats,
  fetchRecommendations,
  historyId,
  recommendationDocId,
  parseRecommendationsMget,
  recommendationsBulkBody,
  recommendationsMgetRequest,
  writeRecommendations,
} from './recommendations.js';
export type { RecommendationWriteStats } from './recommendations.js';
export { esRecommendationPages, latestRecommendationPages, latestRecommendationsPageRequest, openRecommendationPages, RECOMMENDATION_SOURCE_MODULE } from './recommendationSource.js';
export { exportBuildPages, exportPageRequest } from './exportBuilds.js';
export type { ExportBuildsQuery } from './exportBuilds.js';
export { emptyWasteWriteStats, wasteBulkBody, wasteId, writeWaste } from './waste.js';
export type { WasteDocIdentity, WasteWriteStats } from './waste.js';
export { MARATHON_MAX_BUCKETS, marathonAppsPageRequest, marathonPageSize, parseMarathonAppsPage, searchMarathonAppPages } from './marathonApps.js';
export type { MarathonAppBucket, MarathonAppsPage, MarathonAppsPageQuery, MarathonWindow } from './marathonApps.js';
export { bucketCoveredMs, EsApiReads, lastCompletePoint } from './apiReads.js';
export type { ApiRangeMs, EsApiReadsOptions } from './apiReads.js';
