import type { AgentDoc, BuildDoc, ClusterDoc, ContainerDoc, QueueDoc, RoleDoc } from './documents.js';

/**
 * What a collector hands to a sink: a readonly discriminated union, one variant per document
 * kind. The sink decides index and `_id` from `kind` and the document itself.
 */
export type Sample =
  | { readonly kind: 'container'; readonly doc: ContainerDoc }
  | { readonly kind: 'cluster'; readonly doc: ClusterDoc }
  | { readonly kind: 'agent'; readonly doc: AgentDoc }
  | { readonly kind: 'role'; readonly doc: RoleDoc }
  | { readonly kind: 'queue'; readonly doc: QueueDoc }
  | { readonly kind: 'build'; readonly doc: BuildDoc };

export type SampleKind = Sample['kind'];

/**
 * A non-fatal problem met during collection: partial failure is data. One dead container or
 * one garbled response yields one of these and never sinks the batch.
 */
export interface CollectError {
  /** The target (endpoint) it concerns, credentials redacted. */
  readonly target: string;
  /** Stable error code, e.g. `RS_ERR_PARSE_JSON`. */
  readonly code: string;
  readonly message: string;
  /** The container, URL or field it concerns, when known. */
  readonly subject?: string;
  /** The HTTP status the upstream answered with, when the failure is one (`RS_ERR_HTTP_STATUS`). */
  readonly status?: number;
}

/** What one collection round returns. */
export interface CollectionResult {
  readonly samples: readonly Sample[];
  readonly errors: readonly CollectError[];
  /** Items deliberately passed over (e.g. exited containers, first readings), by reason. */
  readonly skipped?: Readonly<Record<string, number>>;
}
