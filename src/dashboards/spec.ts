import type { IndexKind } from '../store/routing.js';

/**
 * The dashboards as plain data: what each panel shows, in rightsize's own terms. `savedObjects.ts`
 * turns these into Kibana 8.x saved objects (data views, Lens visualizations, dashboards).
 */

/** A metric of a panel: an aggregation of one numeric field (or `count` of documents). */
export type MetricSpec =
  | { readonly op: 'average' | 'max' | 'min' | 'sum' | 'median' | 'last_value'; readonly field: string; readonly label: string }
  | { readonly op: 'percentile'; readonly field: string; readonly percentile: number; readonly label: string }
  | { readonly op: 'count'; readonly label: string };

/** A bucket: the time axis or the top terms of a keyword field. */
export type BucketSpec =
  | { readonly op: 'date_histogram'; readonly field: '@timestamp' }
  | { readonly op: 'terms'; readonly field: string; readonly size: number; readonly label: string };

/** A KQL filter of equalities (`field : value` joined with `and`), kept structured so tests can check the fields. */
export type FilterSpec = readonly { readonly field: string; readonly value: string | boolean }[];

export interface PanelSpec {
  /** Stable within the dashboard; part of the Lens object's id. */
  readonly key: string;
  readonly title: string;
  readonly kind: IndexKind;
  readonly chart: 'line' | 'area' | 'bar_stacked' | 'table' | 'metric';
  readonly x?: BucketSpec;
  /** Splits line/area/bar series, or is the row bucket of a table. */
  readonly split?: Extract<BucketSpec, { op: 'terms' }>;
  readonly metrics: readonly MetricSpec[];
  readonly filter?: FilterSpec;
  /** Grid width (of 48) and height. */
  readonly w: number;
  readonly h: number;
}

export interface DashboardSpec {
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly panels: readonly PanelSpec[];
}
