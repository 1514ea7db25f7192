import type { Prng } from './prng.js';
import type { CpuProfile, DurationSpec, JobSpec, MarathonAppSpec } from './schema.js';

const MIB = 1024 * 1024;

/** One step of a build's usage profile. */
export interface PlanPhase {
  readonly cores: number;
  readonly memBytes: number;
  readonly durationMs: number;
}

/** Everything decided about a build before it runs (pure data, drawn from the job's PRNG). */
export interface BuildPlan {
  readonly durationMs: number;
  readonly phases: readonly PlanPhase[];
  readonly peakMemBytes: number;
  /** Seconds over which memory grows from 0 to each phase's level. */
  readonly memRampMs: number;
  /** Planned to exceed its memory limit (will be OOM-killed). */
  readonly oom: boolean;
  /** Exit code the workload ends with when not killed. */
  readonly exitCode: number;
}

/** Draws a build duration in ms. */
export function drawDurationMs(spec: DurationSpec, prng: Prng): number {
  switch (spec.kind) {
    case 'fixed':
      return Math.round(spec.seconds * 1000);
    case 'uniform':
      return Math.round(prng.uniform(spec.minSeconds, spec.maxSeconds) * 1000);
    case 'lognormal':
      return Math.round(Math.min(spec.maxSeconds, Math.max(1, prng.lognormal(spec.medianSeconds, spec.sigma))) * 1000);
  }
}

/** CPU phases (cores, ms) of a profile over `durationMs`, scaled by `scale`. */
export function cpuPhases(profile: CpuProfile, durationMs: number, scale: number, prng: Prng): Array<{ cores: number; durationMs: number }> {
  const c = (v: number) => Math.round(v * scale * 1000) / 1000;
  switch (profile.kind) {
    case 'constant':
      return [{ cores: c(profile.cores), durationMs }];
    case 'phases': {
      const total = profile.phases.reduce((s, p) => s + p.fraction, 0);
      let used = 0;
      return profile.phases.map((p, i) => {
        const ms = i === profile.phases.length - 1 ? durationMs - used : Math.round((durationMs * p.fraction) / total);
        used += ms;
        return { cores: c(p.cores), durationMs: ms };
      });
    }
    case 'bursty': {
      const burstMs = Math.min(durationMs, profile.burstSeconds * 1000);
      const bursts = Math.min(24, Math.round((profile.burstFraction * durationMs) / burstMs));
      if (bursts <= 0) return [{ cores: c(profile.baseCores), durationMs }];
      const slot = durationMs / bursts;
      const out: Array<{ cores: number; durationMs: number }> = [];
      let t = 0;
      for (let i = 0; i < bursts; i++) {
        const start = Math.round(i * slot + prng.uniform(0, Math.max(0, slot - burstMs)));
        if (start > t) out.push({ cores: c(profile.baseCores), durationMs: start - t });
        const len = Math.min(burstMs, durationMs - start);
        out.push({ cores: c(profile.burstCores), durationMs: len });
        t = start + len;
      }
      if (t < durationMs) out.push({ cores: c(profile.baseCores), durationMs: durationMs - t });
      return out.filter((p) => p.durationMs > 0);
    }
  }
}

/**
 * Plans one build of `job`: duration, CPU phases, peak memory (growing by `growthPerDay` for
 * every day since the scenario started), and whether it will exceed `memLimitBytes` (OOM-prone).
 * An OOM build aims at 1.25 × the limit so the kernel really kills it.
 */
export function planBuild(job: JobSpec, prng: Prng, elapsedDays: number, memLimitBytes: number): BuildPlan {
  const growth = Math.max(0.05, 1 + job.growthPerDay * elapsedDays);
  const durationMs = drawDurationMs(job.duration, prng);
  const oom = prng.chance(job.oomProne);
  const failed = prng.chance(job.failureRate);
  const wanted = Math.round(job.memMb * growth * MIB);
  const peakMemBytes = oom ? Math.max(wanted, Math.round(memLimitBytes * 1.25)) : Math.min(wanted, Math.round(memLimitBytes * 0.9));
  const phases = cpuPhases(job.cpu, durationMs, growth, prng).map((p) => ({ ...p, memBytes: peakMemBytes }));
  return { durationMs, phases, peakMemBytes, memRampMs: Math.min(durationMs, job.memRampSeconds * 1000), oom, exitCode: failed ? 1 : 0 };
}

/** The `workload` command line that plays a plan (see native/workload/workload.c). */
export function workloadArgs(plan: BuildPlan): string[] {
  const spec = plan.phases.map((p) => `${p.cores}:${Math.round(p.memBytes / 1024)}k:${p.durationMs}ms`).join(',');
  const args = ['--phases', spec, '--mem-ramp', `${plan.memRampMs}ms`, '--quiet'];
  if (plan.exitCode !== 0) args.push('--exit', String(plan.exitCode));
  return args;
}

/** Modelled cumulative usage of a plan after `elapsedMs`, with CPU capped at `cpuLimit` cores. */
export function modelUsage(plan: BuildPlan, elapsedMs: number, cpuLimit: number): { cpuSeconds: number; rssBytes: number; throttledSeconds: number } {
  let cpuSeconds = 0;
  let throttledSeconds = 0;
  let t = 0;
  for (const p of plan.phases) {
    const overlap = Math.max(0, Math.min(elapsedMs, t + p.durationMs) - t);
    cpuSeconds += (Math.min(p.cores, cpuLimit) * overlap) / 1000;
    if (p.cores > cpuLimit) throttledSeconds += overlap / 1000;
    t += p.durationMs;
  }
  const ramp = plan.memRampMs > 0 ? Math.min(1, elapsedMs / plan.memRampMs) : 1;
  return { cpuSeconds, rssBytes: Math.round(plan.peakMemBytes * ramp), throttledSeconds };
}

/** Ms after start at which a modelled OOM build reaches `memLimitBytes` (its kill time). */
export function modelOomAtMs(plan: BuildPlan, memLimitBytes: number): number {
  if (plan.peakMemBytes <= memLimitBytes) return Infinity;
  return Math.round((plan.memRampMs * memLimitBytes) / plan.peakMemBytes);
}

/** How far ahead a Marathon app instance's usage is planned (model mode stops using CPU after it). */
export const APP_PLAN_HORIZON_MS = 7 * 86_400_000;

/**
 * Plans one instance of a Marathon app: its CPU profile over one `periodSeconds`, repeated until
 * `horizonMs`, holding `usage.memMb` (at most 90 % of the container's limit). Never OOM, exit 0.
 */
export function planApp(app: MarathonAppSpec, prng: Prng, memLimitBytes: number, horizonMs = APP_PLAN_HORIZON_MS): BuildPlan {
  const periodMs = Math.round(app.usage.periodSeconds * 1000);
  const memBytes = Math.min(Math.round(app.usage.memMb * MIB), Math.round(memLimitBytes * 0.9));
  const cycle = cpuPhases(app.usage.cpu, periodMs, 1, prng);
  const cycles = Math.max(1, Math.ceil(horizonMs / periodMs));
  const phases: PlanPhase[] = [];
  for (let i = 0; i < cycles; i++) for (const p of cycle) phases.push({ cores: p.cores, memBytes, durationMs: p.durationMs });
  return { durationMs: cycles * periodMs, phases, peakMemBytes: memBytes, memRampMs: Math.round(app.usage.memRampSeconds * 1000), oom: false, exitCode: 0 };
}

/**
 * The `workload` command line of a long-running app instance: its first phases (at most
 * `maxPhases`, whole cycles of the plan's profile) and then, forever (`inf`), the mean cores of
 * those phases, so the container never ends on its own.
 */
export function appWorkloadArgs(plan: BuildPlan, maxPhases = 200): string[] {
  const head = plan.phases.slice(0, Math.max(1, maxPhases));
  const totalMs = head.reduce((a, p) => a + p.durationMs, 0);
  const meanCores = totalMs > 0 ? Math.round((head.reduce((a, p) => a + p.cores * p.durationMs, 0) / totalMs) * 1000) / 1000 : 0;
  const kib = Math.round(plan.peakMemBytes / 1024);
  const spec = [...head.map((p) => `${p.cores}:${Math.round(p.memBytes / 1024)}k:${p.durationMs}ms`), `${meanCores}:${kib}k:inf`].join(',');
  return ['--phases', spec, '--mem-ramp', `${plan.memRampMs}ms`, '--quiet'];
}
