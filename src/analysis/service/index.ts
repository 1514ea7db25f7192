// The thin shell that feeds the pure analysis core from Elasticsearch.
export { analyzeFromStore, WorkloadGrouper, MAX_TOP_HITS } from './analyzeStore.js';
export type { AnalyzeStoreOptions, AnalyzeStoreResult, AnalyzeStoreStats } from './analyzeStore.js';
export { exportTrace } from './exportTrace.js';
export type { ExportTraceOptions, ExportTraceResult } from './exportTrace.js';
export { wasteFromStore, windowStartMs } from './wasteStore.js';
export type { WasteStoreOptions, WasteStoreResult } from './wasteStore.js';
export { readTraceLines, MAX_TRACE_LINE_CHARS } from './traceFile.js';
export type { TraceLineSink } from './traceFile.js';
