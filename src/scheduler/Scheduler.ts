import { createTask, validateDetailed, type ScheduledTask } from 'node-cron';
import { RightsizeError, toError } from '../errors/index.js';
import type { Schedule, ScheduledJob } from '../model/ports.js';
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** Counters of one scheduled job; monotonic except the `last*` fields. */
export interface JobStats {
  readonly name: string;
  readonly runs: number;
  readonly failedRuns: number;
  /** Ticks that found the previous run still going (no overlap). */
  readonly skippedTicks: number;
  readonly lastError?: string;
  readonly lastRunAtMs?: number;
  readonly lastDurationMs?: number;
  /** Epoch ms of the next planned run, when known. */
  readonly nextRunAtMs?: number;
}

export interface SchedulerOptions {
  readonly logger: Logger;
  /** @defaultValue systemClock */
  readonly clock?: Clock;
  /** How long `stop` waits for running jobs after aborting them, ms. @defaultValue 10 000 */
  readonly stopTimeoutMs?: number;
}

interface JobState {
  readonly job: ScheduledJob;
  readonly timeoutMs: number;
  runs: number;
  failedRuns: number;
  skippedTicks: number;
  lastError?: string;
  lastRunAtMs?: number;
  lastDurationMs?: number;
  nextRunAtMs?: number;
  running?: Promise<void>;
  controller?: AbortController;
  timer?: NodeJS.Timeout;
  cron?: ScheduledTask;
}

const DEFAULT_CRON_TIMEOUT_MS = 10 * 60_000;

/** Checks a cron expression (node-cron syntax: 5 or 6 fields); returns the problems, empty when valid. */
export function cronProblems(expression: string): string[] {
  const v = validateDetailed(expression);
  if (v.valid) return [];
  const errors = v.errors.map((e) => `${e.field}: ${e.message}`);
  return errors.length > 0 ? errors : [`'${expression}' is not a valid cron expression`];
}

/**
 * The one owner of time for periodic work (retention, build summaries, cache reloads, alert
 * evaluations, scheduled reports). Per job it:
 * - runs every `everyMs` (measured start to start) or at the times of a cron expression (node-cron);
 * - never overlaps a job with itself (a tick while it runs is skipped and counted);
 * - aborts a run after its timeout through the run's AbortSignal and counts it as failed;
 * - keeps every timer unref'd, so the scheduler never holds a process open by itself;
 * - never lets an error escape a timer: it is logged and counted.
 */
export class Scheduler {
  private readonly _jobs = new Map<string, JobState>();
  private readonly _logger: Logger;
  private readonly _clock: Clock;
  private readonly _stopTimeoutMs: number;
  private _started = false;
  private _stopped = false;

  constructor(options: SchedulerOptions) {
    this._logger = options.logger;
    this._clock = options.clock ?? systemClock;
    this._stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  }

  /** Adds a job; a job added after `start` starts at once. Names are unique. */
  add(job: ScheduledJob): void {
    if (this._stopped) throw new RightsizeError('RS_ERR_LIFECYCLE_SHUTDOWN', 'the scheduler is stopped');
    if (this._jobs.has(job.name)) throw new RightsizeError('RS_ERR_CONFIG_INVALID', `a scheduled job named '${job.name}' exists already`);
    validateSchedule(job.name, job.schedule);
    const timeoutMs = job.timeoutMs ?? ('everyMs' in job.schedule ? job.schedule.everyMs : DEFAULT_CRON_TIMEOUT_MS);
    const state: JobState = { job, timeoutMs, runs: 0, failedRuns: 0, skippedTicks: 0 };
    this._jobs.set(job.name, state);
    if (this._started) this._arm(state);
  }

  start(): void {
    if (this._started || this._stopped) return;
    this._started = true;
    for (const state of this._jobs.values()) this._arm(state);
  }

  /** Runs one job now (outside its schedule, still without overlap) and resolves when it ended. */
  async runNow(name: string): Promise<void> {
    const state = this._jobs.get(name);
    if (!state) throw new RightsizeError('RS_ERR_CONFIG_INVALID', `no scheduled job named '${name}'`);
    if (state.running) {
      await state.running;
      return;
    }
    await this._run(state);
  }

  stats(): JobStats[] {
    return [...this._jobs.values()].map((s) => ({
      name: s.job.name,
      runs: s.runs,
      failedRuns: s.failedRuns,
      skippedTicks: s.skippedTicks,
      ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
      ...(s.lastRunAtMs === undefined ? {} : { lastRunAtMs: s.lastRunAtMs }),
      ...(s.lastDurationMs === undefined ? {} : { lastDurationMs: s.lastDurationMs }),
      ...(s.nextRunAtMs === undefined ? {} : { nextRunAtMs: s.nextRunAtMs }),
    }));
  }

  /** Stops every timer, aborts running jobs and waits (bounded) for them to return; idempotent. */
  async stop(): Promise<void> {
    if (this._stopped) return;
    this._stopped = true;
    const running: Promise<void>[] = [];
    for (const s of this._jobs.values()) {
      if (s.timer) clearTimeout(s.timer);
      if (s.cron) await s.cron.destroy();
      s.controller?.abort(new RightsizeError('RS_ERR_LIFECYCLE_SHUTDOWN', 'the scheduler is stopping'));
      if (s.running) running.push(s.running);
    }
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(running),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this._stopTimeoutMs);
        timer.unref();
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  private _arm(state: JobState): void {
    const schedule = state.job.schedule;
    if ('everyMs' in schedule) {
      this._armInterval(state, schedule.initialDelayMs ?? 0);
      return;
    }
    const task = createTask(schedule.cron, () => this._tick(state), {
      timezone: schedule.timezone ?? 'UTC',
      name: state.job.name,
      noOverlap: false,
      unref: true,
    });
    state.cron = task;
    void task.start();
    state.nextRunAtMs = task.getNextRun()?.getTime();
  }

  private _armInterval(state: JobState, delayMs: number): void {
    if (this._stopped) return;
    state.nextRunAtMs = this._clock.nowMs() + delayMs;
    state.timer = setTimeout(() => {
      const startedMs = this._clock.nowMs();
      this._tick(state);
      const everyMs = (state.job.schedule as { everyMs: number }).everyMs;
      this._armInterval(state, Math.max(0, everyMs - (this._clock.nowMs() - startedMs)));
    }, delayMs);
    state.timer.unref();
  }

  private _tick(state: JobState): void {
    if (this._stopped) return;
    if (state.running) {
      state.skippedTicks += 1;
      return;
    }
    void this._run(state);
    if (state.cron) state.nextRunAtMs = state.cron.getNextRun()?.getTime();
  }

  private _run(state: JobState): Promise<void> {
    const controller = new AbortController();
    state.controller = controller;
    const timeout = setTimeout(() => {
      controller.abort(new RightsizeError('RS_ERR_COLLECT_TIMEOUT', `${state.job.name} did not finish within ${state.timeoutMs} ms`));
    }, state.timeoutMs);
    timeout.unref();
    const startedMs = this._clock.nowMs();
    state.lastRunAtMs = startedMs;
    const run = (async () => {
      try {
        // A run that ignores its signal is abandoned at the timeout: it no longer blocks later ticks.
        await Promise.race([
          state.job.run(controller.signal),
          new Promise<never>((_, reject) => {
            const onAbort = (): void => reject(toError(controller.signal.reason));
            if (controller.signal.aborted) onAbort();
            else controller.signal.addEventListener('abort', onAbort, { once: true });
          }),
        ]);
        state.runs += 1;
        delete state.lastError;
      } catch (err) {
        state.runs += 1;
        state.failedRuns += 1;
        const e = toError(err);
        state.lastError = e instanceof RightsizeError ? `${e.code}: ${e.message}` : e.message;
        if (!this._stopped) this._logger.warn({ job: state.job.name, err: state.lastError }, 'scheduled job failed');
      } finally {
        clearTimeout(timeout);
        state.lastDurationMs = this._clock.nowMs() - startedMs;
        delete state.running;
        delete state.controller;
      }
    })();
    state.running = run;
    return run;
  }
}

function validateSchedule(name: string, schedule: Schedule): void {
  if ('everyMs' in schedule) {
    if (!Number.isFinite(schedule.everyMs) || schedule.everyMs <= 0) {
      throw new RightsizeError('RS_ERR_CONFIG_INVALID', `job '${name}': everyMs must be a positive number of ms (got ${schedule.everyMs})`);
    }
    return;
  }
  const problems = cronProblems(schedule.cron);
  if (problems.length > 0) {
    throw new RightsizeError('RS_ERR_CONFIG_INVALID', `job '${name}': cron '${schedule.cron}' is invalid: ${problems.join('; ')}`);
  }
}
