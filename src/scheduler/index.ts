export { Scheduler, cronProblems } from './Scheduler.js';
export type { JobStats, SchedulerOptions } from './Scheduler.js';
export { backoffDelayMs } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { abortableSleep } from './sleep.js';
