import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, cronProblems, abortableSleep } from '../../../src/scheduler/index.js';
import { silentLogger } from '../../../src/util/index.js';
import { RightsizeError } from '../../../src/errors/index.js';

async function until(cond: () => boolean, deadlineMs = 3000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Scheduler', () => {
  let s: Scheduler | undefined;
  afterEach(async () => {
    await s?.stop();
  });

  it('runs an interval job repeatedly and counts runs', async () => {
    s = new Scheduler({ logger: silentLogger() });
    let n = 0;
    s.add({ name: 'tick', schedule: { everyMs: 20 }, run: () => { n += 1; return Promise.resolve(); } });
    s.start();
    await until(() => n >= 3);
    expect(s.stats()[0]?.runs).toBeGreaterThanOrEqual(3);
    expect(s.stats()[0]?.failedRuns).toBe(0);
  });

  it('never overlaps a job with itself: ticks during a run are skipped and counted', async () => {
    s = new Scheduler({ logger: silentLogger() });
    let concurrent = 0;
    let maxConcurrent = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    s.add({
      name: 'slow',
      schedule: { everyMs: 10 },
      timeoutMs: 5000,
      run: async () => {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await gate;
        concurrent -= 1;
      },
    });
    s.start();
    await until(() => (s?.stats()[0]?.skippedTicks ?? 0) >= 3);
    release();
    expect(maxConcurrent).toBe(1);
  });

  it('aborts a run at its timeout, counts it failed, and a run that ignores its signal does not wedge the job', async () => {
    s = new Scheduler({ logger: silentLogger() });
    let started = 0;
    s.add({ name: 'hang', schedule: { everyMs: 30 }, timeoutMs: 20, run: () => { started += 1; return new Promise<void>(() => undefined); } });
    s.start();
    await until(() => started >= 2);
    const st = s.stats()[0];
    expect(st?.failedRuns).toBeGreaterThanOrEqual(1);
    expect(st?.lastError).toContain('RS_ERR_COLLECT_TIMEOUT');
  });

  it('keeps errors inside: a throwing job is counted and runs again', async () => {
    s = new Scheduler({ logger: silentLogger() });
    let n = 0;
    s.add({ name: 'boom', schedule: { everyMs: 10 }, run: () => { n += 1; return Promise.reject(new Error('boom')); } });
    s.start();
    await until(() => n >= 2);
    expect(s.stats()[0]?.failedRuns).toBeGreaterThanOrEqual(2);
    expect(s.stats()[0]?.lastError).toBe('boom');
  });

  it('stop aborts running jobs through their signal and waits for them', async () => {
    s = new Scheduler({ logger: silentLogger() });
    let sawAbort = false;
    s.add({
      name: 'long',
      schedule: { everyMs: 10_000 },
      run: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => { sawAbort = true; resolve(); })),
    });
    s.start();
    await until(() => s?.stats()[0]?.lastRunAtMs !== undefined);
    await s.stop();
    expect(sawAbort).toBe(true);
  });

  it('plans cron jobs with node-cron in the given zone and rejects bad expressions with the field named', () => {
    s = new Scheduler({ logger: silentLogger() });
    s.add({ name: 'weekly', schedule: { cron: '0 8 * * 1', timezone: 'UTC' }, run: () => Promise.resolve() });
    s.start();
    const next = s.stats()[0]?.nextRunAtMs;
    expect(next).toBeDefined();
    const d = new Date(next ?? 0);
    expect(d.getUTCDay()).toBe(1);
    expect(d.getUTCHours()).toBe(8);
    expect(cronProblems('0 8 * * 1')).toEqual([]);
    expect(cronProblems('61 8 * * 1').length).toBeGreaterThan(0);
    expect(() => s?.add({ name: 'bad', schedule: { cron: 'every monday' }, run: () => Promise.resolve() })).toThrow(RightsizeError);
  });

  it('runNow runs a job outside its schedule', async () => {
    s = new Scheduler({ logger: silentLogger() });
    let n = 0;
    s.add({ name: 'manual', schedule: { cron: '0 8 * * 1' }, run: () => { n += 1; return Promise.resolve(); } });
    await s.runNow('manual');
    expect(n).toBe(1);
  });
});

describe('abortableSleep', () => {
  it('resolves early when aborted', async () => {
    const c = new AbortController();
    const t0 = Date.now();
    const p = abortableSleep(10_000, c.signal);
    c.abort();
    await p;
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
