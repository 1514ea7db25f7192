import type { Static } from '@sinclair/typebox';
import type { AlertRow, BuildRow, ClusterBody, QueueBody, SilenceRow } from './schemas.js';

/** A time range and bucket width of a store-backed route, epoch ms. */
export interface RangeMs {
  readonly fromMs: number;
  readonly toMs: number;
  readonly intervalMs: number;
}

/** A new silence as the store keeps it (`<prefix>-silences`, docs/data-model.md). */
export interface NewSilence {
  readonly ruleId: string;
  readonly group?: string;
  readonly untilMs: number;
  readonly createdBy: string;
  readonly comment?: string;
  readonly createdAtMs: number;
}

/**
 * What the API reads from (and writes to) the store beyond the cached recommendations. The shell
 * (`src/store/queries/apiReads.ts`) implements it on Elasticsearch; tests pass a double. Every
 * method throws a `RightsizeError` (`RS_ERR_STORE_*`) when the store fails.
 */
export interface ApiReads {
  /** Throws when Elasticsearch cannot be reached. */
  ping(signal: AbortSignal): Promise<void>;
  /** Names of the rightsize templates that are missing or older than this version needs. */
  missingTemplates(signal: AbortSignal): Promise<readonly string[]>;
  builds(job: string, range: Omit<RangeMs, 'intervalMs'>, limit: number, signal: AbortSignal): Promise<ReadonlyArray<Static<typeof BuildRow>>>;
  cluster(range: RangeMs, signal: AbortSignal): Promise<Omit<Static<typeof ClusterBody>, 'from' | 'to' | 'interval_ms'>>;
  queue(range: RangeMs, signal: AbortSignal): Promise<Static<typeof QueueBody>['labels']>;
  alerts(status: 'firing' | 'resolved' | undefined, signal: AbortSignal): Promise<ReadonlyArray<Static<typeof AlertRow>>>;
  /** Silences whose `until` is after `nowMs`. */
  activeSilences(nowMs: number, signal: AbortSignal): Promise<ReadonlyArray<Static<typeof SilenceRow>>>;
  /** Stores a silence and returns it with its id (visible to the next search). */
  createSilence(s: NewSilence, signal: AbortSignal): Promise<Static<typeof SilenceRow>>;
  /** Sets a silence's `until` to `nowMs`; false when there is no such silence. */
  expireSilence(id: string, nowMs: number, signal: AbortSignal): Promise<boolean>;
}
