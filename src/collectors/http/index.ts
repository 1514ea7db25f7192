export { HttpJsonClient } from './HttpJsonClient.js';
export type { HttpJsonClientOptions, JsonResponse } from './HttpJsonClient.js';
export type { TlsOptions } from '../tls.js';
export { collectErrorFrom, mergeCounts, mapLimit, joinUrl, getFirstFound } from './util.js';
