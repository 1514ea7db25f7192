import type { BuildKey, BuildState } from '../cluster/types.js';

/** Where build usage comes from: real containers, or the usage profile itself. */
export type UsageMode = 'docker' | 'model';

/**
 * Cumulative usage of one build's container, in the units Mesos `/monitor/statistics` uses
 * (seconds, bytes, epoch-seconds timestamp).
 */
export interface ContainerUsage {
  readonly timestampSec: number;
  readonly cpuUserSecs: number;
  readonly cpuSystemSecs: number;
  readonly rssBytes: number;
  readonly nrPeriods: number;
  readonly nrThrottled: number;
  readonly throttledSecs: number;
}

/** What a runtime needs to start a build's container. */
export interface BuildLaunch {
  readonly key: BuildKey;
  readonly build: BuildState;
  /** `mesos-<containerId>` */
  readonly containerName: string;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  /** Arguments of `/usr/local/bin/workload`. */
  readonly args: readonly string[];
  /** Container CPU limit in cores (task cpus + executor overhead). */
  readonly cpuLimit: number;
  readonly memLimitBytes: number;
}

export interface BuildExit {
  readonly exitCode: number;
  readonly oomKilled: boolean;
}

/**
 * Runs builds. Implementations MUST report every launched build exactly once through the
 * `onExit` callback (Docker mode) or never (model mode, where the engine ends builds itself),
 * and MUST remove every container they created by the time `shutdown()` resolves.
 */
export interface Runtime {
  readonly mode: UsageMode;
  /** Starts a build; failures are reported as an exit (code 125), never thrown. */
  launch(spec: BuildLaunch): void;
  /** Latest cumulative usage of a build's container, or undefined before the first sample. */
  usage(key: BuildKey): ContainerUsage | undefined;
  /** Forget a finished build's usage (the shell has folded it into its executor's totals). */
  release(key: BuildKey): void;
  /** Docker containers currently alive (names), for reports and tests. */
  liveContainers(): string[];
  shutdown(): Promise<void>;
}

export type ExitListener = (key: BuildKey, exit: BuildExit) => void;

export function buildKeyString(key: BuildKey): string {
  return `${key.job}#${key.number}`;
}
