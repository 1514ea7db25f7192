export { DASHBOARDS, DATA_VIEW_KINDS } from './definitions.js';
export type { DashboardSpec, PanelSpec, MetricSpec, BucketSpec, FilterSpec } from './spec.js';
export { buildSavedObjects, toNdjson, dataViewId, kql } from './savedObjects.js';
export type { SavedObject } from './savedObjects.js';
export { importSavedObjects, importUrl, readImportAnswer } from './kibanaImport.js';
export type { KibanaTarget, ImportOutcome, ImportedObject, FailedObject } from './kibanaImport.js';
