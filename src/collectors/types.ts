// The Collector port lives in src/model/ports.ts (interfaces the shell plugs into).
export type { Collector } from '../model/ports.js';
