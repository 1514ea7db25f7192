export { buildUsageRequest, containerIndicesFor, parseBuildUsageAggs, searchBuildUsage } from './buildUsage.js';
export type { BuildUsageAggregation, BuildUsageAggs, BuildUsageQuery, DatasetUsage, SampleSpan } from './buildUsage.js';
