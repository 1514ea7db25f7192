/** `GET /info` → what rightsize takes from the engine itself (pure). */
import { done, FieldReader, isRecord, type ParseResult } from '../../../util/json.js';
import { capText, describeValue } from './bounds.js';

/** What rightsize takes from `GET /info`. */
export interface EngineInfo {
  /** `Name`: the engine's host name (becomes `host.name`), at most 255 characters. */
  readonly hostName?: string;
}

/** Parses `GET /info`. A wrong type is an `RS_ERR_PARSE_SHAPE` error; the info is then empty. */
export function parseEngineInfo(raw: unknown, target = 'docker'): ParseResult<EngineInfo> {
  const fr = new FieldReader(target);
  if (!isRecord(raw)) {
    fr.issue(`info response is ${describeValue(raw)}, not an object`);
    return done({}, fr);
  }
  const name = fr.str(raw, 'Name', 'Name');
  return done(name !== undefined && name !== '' ? { hostName: capText(name, 255) } : {}, fr);
}
