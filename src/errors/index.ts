export { ERROR_CODES } from './codes.js';
export type { ErrorCode } from './codes.js';
export { RightsizeError, ConfigError, UpstreamError, StoreError, redactUrl, stripCredentials, toError } from './RightsizeError.js';
export type { ErrorMeta, ConfigProblem } from './RightsizeError.js';
