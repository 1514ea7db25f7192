export type { SampleSink, SinkStats } from './types.js';
export { InMemorySampleSink } from './InMemorySampleSink.js';
export { createEsClient, esClientOptions } from './client.js';
export type { EsClientConfig } from './client.js';
export { statusOf, storeCodeOf, isRetryableStoreCode, wrapEsError } from './esErrors.js';
export { classifyBulkItem, classifyBulkResponse } from './bulkResponse.js';
export type { BulkItemClass, BulkItemOutcome } from './bulkResponse.js';
export {
  INDEX_KINDS,
  SAMPLE_INDEX_KIND,
  timestampMs,
  indexName,
  indexPattern,
  routeSample,
  indexFor,
  idFor,
  recommendationId,
  fitId,
  MAX_ID_BYTES,
  alertStateId,
} from './routing.js';
export type { IndexKind, IndexPeriod, Route } from './routing.js';
export {
  TEMPLATE_VERSION,
  TEMPLATE_PRIORITY,
  MAPPINGS,
  templateName,
  buildTemplate,
  buildTemplates,
  installTemplates,
  deleteTemplates,
} from './templates.js';
export type { MappingProperty, TemplateOptions, IndexTemplateBody, InstallResult } from './templates.js';
export { parseIndexDate, expiredIndices, applyRetention } from './retention.js';
export type { RetentionDays, ExpiredIndex, RetentionOptions, RetentionResult } from './retention.js';
export { ElasticsearchSink } from './ElasticsearchSink.js';
export { withEcsBase, storedDoc, moduleOf, RIGHTSIZE_MODULE } from './ecs.js';
export type { BulkOptions, ElasticsearchSinkOptions, ElasticsearchSinkStats } from './ElasticsearchSink.js';
export { SeqQueue } from './SeqQueue.js';
export type { BufferedDoc } from './SeqQueue.js';
