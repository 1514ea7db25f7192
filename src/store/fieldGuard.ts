import { isRecord } from '../util/json.js';
import type { MappingProperty } from './templates.js';

/** A numeric field removed from a document before indexing. */
export interface RemovedField {
  /** Dotted path, e.g. `memory.usage_bytes`. */
  readonly path: string;
  /** The value as text (`NaN`, `Infinity`, `1.2e+21`). */
  readonly value: string;
  /** The mapping type the value does not fit (`long`, `integer`, `date`, `double`). */
  readonly type: string;
}

/** Java `long`: [-2^63, 2^63); 2^63 itself (what a JS number rounds 2^63 - 1 to) is out. */
const LONG_LIMIT = 2 ** 63;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** The range of a JS Date and of rightsize's instants: ±100,000,000 days around 1970, ms. */
const EPOCH_MS_LIMIT = 8.64e15;

/** True when `v` fits a field of mapping type `type` (unmapped and `double`: any finite number). */
function fits(v: number, type: string): boolean {
  if (!Number.isFinite(v)) return false;
  switch (type) {
    case 'long':
      return v >= -LONG_LIMIT && v < LONG_LIMIT;
    case 'integer':
      return v >= INT_MIN && v <= INT_MAX;
    case 'date':
      return Math.abs(v) <= EPOCH_MS_LIMIT;
    default:
      return true;
  }
}

function typeOf(mapping: MappingProperty | undefined): string {
  const t = mapping?.['type'];
  return typeof t === 'string' ? t : 'double';
}

function childProps(mapping: MappingProperty | undefined): Readonly<Record<string, MappingProperty>> | undefined {
  const p = mapping?.['properties'];
  return isRecord(p) ? (p as Readonly<Record<string, MappingProperty>>) : undefined;
}

function guardValue(value: unknown, mapping: MappingProperty | undefined, path: string, removed: RemovedField[]): { keep: boolean; value: unknown } {
  if (typeof value === 'number') {
    const type = typeOf(mapping);
    if (fits(value, type)) return { keep: true, value };
    removed.push({ path, value: String(value), type });
    return { keep: false, value };
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out: unknown[] = [];
    for (const item of value) {
      const g = guardValue(item, mapping, path, removed);
      if (g.keep) out.push(g.value);
      if (!g.keep || g.value !== item) changed = true;
    }
    return { keep: true, value: changed ? out : value };
  }
  if (isRecord(value)) return { keep: true, value: guardObject(value, childProps(mapping), path, removed) };
  return { keep: true, value };
}

function guardObject(obj: Record<string, unknown>, props: Readonly<Record<string, MappingProperty>> | undefined, prefix: string, removed: RemovedField[]): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    const g = guardValue(v, props?.[key], prefix === '' ? key : `${prefix}.${key}`, removed);
    if (g.keep && g.value === v) continue;
    out ??= { ...obj };
    if (g.keep) out[key] = g.value;
    else delete out[key];
  }
  return out ?? obj;
}

/**
 * The last line of defence before a document is indexed: a numeric field that Elasticsearch
 * would refuse (and with it the whole document), or that is not a number at all, is removed:
 * NaN and ±Infinity anywhere (JSON would turn them into `null`), values beyond Java's `long`
 * for `long` fields, beyond `int` for `integer` fields, and epoch-ms beyond ±8.64e15 for `date`
 * fields. Unmapped numbers become `double` (the dynamic templates), which takes any finite value.
 * The input is not modified; the result is the same object when nothing was removed.
 *
 * @example guardNumericFields({ memory: { usage_bytes: 2 ** 70, limit_bytes: 1024 } }, { memory: { properties: { usage_bytes: { type: 'long' }, limit_bytes: { type: 'long' } } } })
 *   → doc `{ memory: { limit_bytes: 1024 } }`, removed `[{ path: 'memory.usage_bytes', value: '1.1805916207174113e+21', type: 'long' }]`
 */
export function guardNumericFields<T extends object>(doc: T, props: Readonly<Record<string, MappingProperty>>): { readonly doc: T; readonly removed: readonly RemovedField[] } {
  const removed: RemovedField[] = [];
  const out = guardObject(doc as Record<string, unknown>, props, '', removed) as T;
  return { doc: out, removed };
}
