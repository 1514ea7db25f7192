export { HttpJsonClient } from './HttpJsonClient.js';
export type { HttpJsonClientOptions, HttpTlsOptions, JsonResponse } from './HttpJsonClient.js';
export { collectErrorFrom, mergeCounts, mapLimit, joinUrl, getFirstFound } from './util.js';
