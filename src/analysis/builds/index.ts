export { summarizeBuild, pickDataset, sharedAgent, buildNode, OOM_PEAK_FRACTION } from './summarize.js';
export type { FinishedBuildInfo, TaskRequest, SummarizeInput, BuildSpan } from './summarize.js';
export { BuildSummarizer } from './BuildSummarizer.js';
export type { BuildSummarizerOptions, BuildSummarizerStats } from './BuildSummarizer.js';
