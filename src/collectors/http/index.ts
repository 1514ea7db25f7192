export { HttpJsonClient } from './HttpJsonClient.js';
export type { HttpJsonClientOptions, JsonResponse } from './HttpJsonClient.js';
export type { TlsOptions } from '../tls.js';
export { FieldReader, isRecord, done } from './fields.js';
export type { ParseIssue, ParseResult } from './fields.js';
export { collectErrorFrom, mergeCounts, mapLimit, joinUrl, getFirstFound } from './util.js';
