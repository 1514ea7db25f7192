export { CollectorRunner } from './CollectorRunner.js';
export type { CollectorRunnerOptions, RunnerTargetOptions, TargetStats, PollOutcome } from './CollectorRunner.js';
export { periodicTask } from './periodicTask.js';
