// SampleSink and SinkStats live in src/model/ports.ts (interfaces the shell plugs into).
export type { SampleSink, SinkStats } from '../model/ports.js';
