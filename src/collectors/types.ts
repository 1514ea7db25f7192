import type { CollectionResult } from '../model/index.js';

/**
 * One source of samples (a Docker engine, a set of Mesos masters, a Jenkins). Implementations
 * MUST return partial failures as `errors` in the result instead of throwing; they throw only
 * when the whole round is impossible (and then the runner counts it against the target).
 * They MUST honour `signal`: when it aborts, stop and return what is done.
 */
export interface Collector {
  /** Stable target name for counters and logs, credentials redacted (e.g. `docker unix:///var/run/docker.sock`). */
  readonly target: string;
  collect(signal: AbortSignal): Promise<CollectionResult>;
  /** Releases connections; idempotent. */
  shutdown(): Promise<void>;
}
