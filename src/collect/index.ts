export { BuildSummarizer } from './BuildSummarizer.js';
export type { BuildSummarizerOptions, BuildSummarizerStats } from './BuildSummarizer.js';
export { PendingBuildsFile } from './PendingBuildsFile.js';
export type { PendingBuildRecord, PendingBuildState } from './PendingBuildsFile.js';
