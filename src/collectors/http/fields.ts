// Moved to src/util/json.ts (one way to read untrusted JSON for every parser and store query).
export { isRecord, FieldReader, done } from '../../util/json.js';
export type { ParseIssue, ParseResult } from '../../util/json.js';
