/** `GET /containers/json` → the containers to read (pure). */
import { done, FieldReader, isRecord, type ParseResult } from '../../../util/json.js';
import { capText, cappedStr, CONTAINER_ID_PATTERN, describeValue, MAX_TEXT_LENGTH } from './bounds.js';

/** One entry of `GET /containers/json`. */
export interface ListedContainer {
  readonly id: string;
  readonly name?: string;
  readonly imageName?: string;
  /** `State` (API ≥ 1.23), lower-cased: `running`, `exited`, ... Absent on older APIs. */
  readonly state?: string;
}

/** The list: its usable entries, or `undefined` when the answer is not a list (the errors say why). */
export type ContainerListResult = ParseResult<readonly ListedContainer[] | undefined>;

/**
 * Parses `GET /containers/json`. A response that is not an array gives no list and an
 * `RS_ERR_PARSE_SHAPE` error; an entry without a valid hex `Id` is an error for that entry only
 * (subject `[i].Id`; it never reaches a URL).
 */
export function parseContainerList(raw: unknown, target = 'docker'): ContainerListResult {
  const fr = new FieldReader(target);
  if (!Array.isArray(raw)) {
    fr.issue(`container list is ${describeValue(raw)}, not an array`);
    return done(undefined, fr);
  }
  const containers: ListedContainer[] = [];
  raw.forEach((entry: unknown, i) => {
    const id = isRecord(entry) ? entry['Id'] : undefined;
    if (!isRecord(entry) || typeof id !== 'string' || !CONTAINER_ID_PATTERN.test(id)) {
      fr.issue(`container list entry ${i} has no valid Id`, `[${i}].Id`);
      return;
    }
    const names = fr.arr(entry, 'Names', `[${i}].Names`);
    const first = names !== undefined && typeof names[0] === 'string' ? capText(names[0].replace(/^\//, ''), MAX_TEXT_LENGTH) : undefined;
    const imageName = cappedStr(fr, entry, 'Image', MAX_TEXT_LENGTH, `[${i}].Image`);
    const state = cappedStr(fr, entry, 'State', 64, `[${i}].State`)?.toLowerCase();
    containers.push({
      id,
      ...(first !== undefined && first !== '' && { name: first }),
      ...(imageName !== undefined && { imageName }),
      ...(state !== undefined && { state }),
    });
  });
  return done(containers, fr);
}
