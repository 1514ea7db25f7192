export { generateTrace, generateTraceJobs, traceJobName, ARCHETYPES, ARCHETYPE_PARAMS, TRACE_LABELS } from './generate.js';
export type { Archetype, TraceOptions, TraceLabel } from './generate.js';
export { parseTrace, validateBuildDoc, toNdjson, TraceReader } from './parse.js';
export type { ParsedTrace, TraceProblem } from './parse.js';
