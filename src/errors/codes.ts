/**
 * Every stable error code rightsize raises, with the HTTP status the API maps it to.
 * Codes follow `RS_ERR_<AREA>_<PROBLEM>`. A test checks that each one is documented in
 * docs/errors.md and that the doc lists no code that is not here.
 */
export const ERROR_CODES = {
  RS_ERR_CONFIG_INVALID: { statusCode: 500, message: 'configuration is invalid' },
  RS_ERR_CONFIG_READ: { statusCode: 500, message: 'configuration file cannot be read' },
  RS_ERR_CLI_USAGE: { statusCode: 400, message: 'command-line usage error' },
  RS_ERR_TRACE_READ: { statusCode: 500, message: 'a trace file or stream cannot be read or written' },
  RS_ERR_JCASC_INVALID: { statusCode: 400, message: 'the JCasC document given to analyze --plan --jcasc cannot be read or has no mesos cloud to patch' },
  RS_ERR_HTTP_STATUS: { statusCode: 502, message: 'upstream answered with an error status' },
  RS_ERR_HTTP_TIMEOUT: { statusCode: 504, message: 'upstream did not answer in time' },
  RS_ERR_HTTP_CONNECT: { statusCode: 502, message: 'upstream cannot be reached' },
  RS_ERR_HTTP_TOO_LARGE: { statusCode: 502, message: 'upstream response exceeds the size cap' },
  RS_ERR_HTTP_REDIRECT_LOOP: { statusCode: 502, message: 'upstream redirects too often' },
  RS_ERR_PARSE_JSON: { statusCode: 502, message: 'response is not valid JSON' },
  RS_ERR_PARSE_SHAPE: { statusCode: 502, message: 'response does not have the expected shape' },
  RS_ERR_PARSE_RANGE: { statusCode: 502, message: 'a reported value is beyond what its source can physically report' },
  RS_ERR_DOCKER_API: { statusCode: 502, message: 'Docker Engine API call failed' },
  RS_ERR_STORE_UNAVAILABLE: { statusCode: 503, message: 'Elasticsearch cannot be reached' },
  RS_ERR_STORE_UNREACHABLE: { statusCode: 503, message: 'Elasticsearch does not answer (connection refused, reset or no route)' },
  RS_ERR_STORE_TIMEOUT: { statusCode: 504, message: 'Elasticsearch did not answer in time' },
  RS_ERR_STORE_REJECTED: { statusCode: 502, message: 'Elasticsearch rejected a request' },
  RS_ERR_STORE_BUFFER_FULL: { statusCode: 503, message: 'the bulk buffer is full; documents were dropped' },
  RS_ERR_STORE_FIELD_RANGE: { statusCode: 500, message: 'a numeric field Elasticsearch would refuse was removed from a document; the rest was indexed' },
  RS_ERR_STORE_NOT_READY: { statusCode: 503, message: 'the index templates are not installed yet; nothing is written before them' },
  RS_ERR_STORE_DOC_INVALID: { statusCode: 500, message: 'a document cannot be routed to an index (bad @timestamp or missing identity field)' },
  RS_ERR_COLLECT_TIMEOUT: { statusCode: 504, message: 'a collection round timed out' },
  RS_ERR_LIFECYCLE_SHUTDOWN: { statusCode: 503, message: 'component is shut down' },
  RS_ERR_API_BAD_REQUEST: { statusCode: 400, message: 'the API request is malformed' },
  RS_ERR_API_NOT_FOUND: { statusCode: 404, message: 'no such route or no recommendation for that workload' },
  RS_ERR_API_UNAUTHORIZED: { statusCode: 401, message: 'the API route needs a valid bearer token' },
  RS_ERR_API_FORBIDDEN: { statusCode: 403, message: 'the bearer token may not do this' },
  RS_ERR_API_TOO_LARGE: { statusCode: 413, message: 'the API request body is too large' },
  RS_ERR_API_BUSY: { statusCode: 503, message: 'too many list requests are waiting' },
  RS_ERR_API_INTERNAL: { statusCode: 500, message: 'the API failed to answer' },
  RS_ERR_SILENCE_NOT_FOUND: { statusCode: 404, message: 'no silence with that id' },
  RS_ERR_KIBANA_UNREACHABLE: { statusCode: 502, message: 'Kibana cannot be reached' },
  RS_ERR_KIBANA_IMPORT: { statusCode: 502, message: 'Kibana refused or failed the saved-objects import' },
  RS_ERR_DASHBOARDS_STALE: { statusCode: 500, message: 'the committed dashboards differ from the definitions' },
  RS_ERR_REPORT_SEND: { statusCode: 502, message: 'the report could not be sent to every receiver' },
  RS_ERR_NOTIFY_SMTP: { statusCode: 502, message: 'the SMTP server refused the mail or cannot be reached' },
  RS_ERR_NOTIFY_HTTP_STATUS: { statusCode: 502, message: 'a chat or webhook receiver answered with a non-2xx status' },
  RS_ERR_NOTIFY_REJECTED: { statusCode: 502, message: 'a chat service answered 2xx with an error code in its body' },
  RS_ERR_NOTIFY_UNREACHABLE: { statusCode: 502, message: 'a chat or webhook receiver cannot be reached or did not answer in time' },
  RS_ERR_NOTIFY_RECEIVER_UNKNOWN: { statusCode: 400, message: 'no receiver with that name is configured' },
  RS_ERR_NOTIFY_DROPPED: { statusCode: 503, message: 'a notification was given up (too old, queue full, or the outbox closed)' },
} as const;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;
