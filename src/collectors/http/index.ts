export { HttpJsonClient } from './HttpJsonClient.js';
export type { HttpJsonClientOptions, HttpTlsOptions, JsonResponse } from './HttpJsonClient.js';
export { FieldReader, isRecord, done } from './fields.js';
export type { ParseIssue, ParseResult } from './fields.js';
export { collectErrorFrom, mergeCounts, mapLimit, joinUrl, getFirstFound } from './util.js';
