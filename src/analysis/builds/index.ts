export { summarizeBuild, pickDataset, sharedAgent, buildNode, OOM_PEAK_FRACTION } from './summarize.js';
export type { FinishedBuildInfo, TaskRequest, SummarizeInput, BuildSpan } from './summarize.js';
