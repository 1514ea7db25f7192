import type { Clock } from '../../util/index.js';
import type { BuildKey, BuildState } from '../cluster/types.js';
import { modelUsage } from '../scenario/workload.js';
import { buildKeyString, type BuildLaunch, type ContainerUsage, type Runtime } from './types.js';

/** CFS period Docker and Mesos use (100 ms). */
const CFS_PERIOD_SECS = 0.1;

/**
 * Usage computed from each build's plan, no containers: CPU follows the profile capped at the
 * container limit (90 % user, 10 % system), memory ramps to its peak. The engine ends builds.
 */
export class ModelRuntime implements Runtime {
  readonly mode = 'model' as const;
  private readonly _clock: Clock;
  private readonly _builds = new Map<string, BuildState>();

  constructor(clock: Clock) {
    this._clock = clock;
  }

  launch(spec: BuildLaunch): void {
    this._builds.set(buildKeyString(spec.key), spec.build);
  }

  usage(key: BuildKey): ContainerUsage | undefined {
    const b = this._builds.get(buildKeyString(key));
    if (!b) return undefined;
    const now = this._clock.nowMs();
    const end = b.endMs ?? now;
    const elapsedMs = Math.max(0, Math.min(now, end) - b.startMs);
    const u = modelUsage(b.plan, elapsedMs, b.cpuLimit);
    const periods = Math.floor(elapsedMs / 1000 / CFS_PERIOD_SECS);
    return {
      timestampSec: now / 1000,
      cpuUserSecs: Math.round(u.cpuSeconds * 0.9 * 100) / 100,
      cpuSystemSecs: Math.round(u.cpuSeconds * 0.1 * 100) / 100,
      rssBytes: b.building ? u.rssBytes : 0,
      nrPeriods: periods,
      nrThrottled: Math.floor(u.throttledSeconds / CFS_PERIOD_SECS),
      throttledSecs: Math.round(u.throttledSeconds * 0.5 * 1000) / 1000,
    };
  }

  release(key: BuildKey): void {
    this._builds.delete(buildKeyString(key));
  }

  liveContainers(): string[] {
    return [];
  }

  shutdown(): Promise<void> {
    this._builds.clear();
    return Promise.resolve();
  }
}
