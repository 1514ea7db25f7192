import type { Sample } from '../model/index.js';

/** Counters of a sink; all monotonic. */
export interface SinkStats {
  /** Documents accepted by `write`. */
  readonly received: number;
  /** Documents Elasticsearch confirmed (created or already present with that `_id`). */
  readonly indexed: number;
  /** Documents given up on (buffer overflow or permanent rejection); each is also logged. */
  readonly dropped: number;
  /** Documents waiting in the buffer now. */
  readonly buffered: number;
  /** Failed bulk attempts (each later retried or buffered). */
  readonly failedRequests: number;
}

/**
 * Where collectors put samples. `write` MUST NOT block on I/O: it buffers, and flushing happens
 * in the background. A sample is indexed at most once per deterministic `_id`, so retries never
 * duplicate.
 */
export interface SampleSink {
  write(samples: readonly Sample[]): void;
  /** Resolves when everything written so far is indexed, or the deadline passes. */
  forceFlush(timeoutMs?: number): Promise<void>;
  stats(): SinkStats;
  /** Flushes what it can and stops; idempotent. */
  shutdown(): Promise<void>;
}
