export { Scheduler, cronProblems } from './Scheduler.js';
export type { JobStats, SchedulerOptions } from './Scheduler.js';
export { backoffDelayMs } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { abortableSleep } from './sleep.js';
export { CollectorRunner } from './CollectorRunner.js';
export type { CollectorRunnerOptions, RunnerTargetOptions, TargetStats, PollOutcome } from './CollectorRunner.js';
export { keepAliveUntil } from './keepAlive.js';
