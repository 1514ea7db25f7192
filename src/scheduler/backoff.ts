/** How a retry delay grows: `baseMs × 2^(attempt-1)`, capped at `maxMs`, then jittered. */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly baseMs: number;
  /** Longest delay, ms. */
  readonly maxMs: number;
  /**
   * Share of the delay that is random, in [0, 1]: the result lies in [(1 - jitter) × step, step].
   * 0 gives the exact exponential step. @defaultValue 0.5
   */
  readonly jitter?: number;
}

/**
 * The one backoff formula of rightsize (collection targets, the bulk sink, build summaries, template
 * installation, notifications). Pure: `random` is injected (a value in [0, 1)).
 *
 * Worked example: base 1000, max 30 000, jitter 0.5, attempt 3 → step = min(30 000, 1000 × 2²) =
 * 4000; with random 0.25 the delay is 4000 × (1 − 0.5 + 0.5 × 0.25) = 2500 ms.
 * Attempts below 1 are treated as 1; the exponent is capped so the result is never Infinity.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 30));
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0.5));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(step * (1 - jitter + jitter * r));
}
