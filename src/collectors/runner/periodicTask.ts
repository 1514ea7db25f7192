import type { CollectionResult } from '../../model/index.js';
import type { Collector } from '../types.js';

/**
 * Adapts a periodic housekeeping job (retention, stats logging) to the `Collector` shape, so
 * the runner stays the only owner of timers and the job gets its timeout, backoff and counters.
 * It yields no samples.
 */
export function periodicTask(target: string, run: (signal: AbortSignal) => Promise<void>): Collector {
  return {
    target,
    async collect(signal: AbortSignal): Promise<CollectionResult> {
      await run(signal);
      return { samples: [], errors: [] };
    },
    shutdown: () => Promise.resolve(),
  };
}
