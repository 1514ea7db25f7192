import type { RecommendationDoc } from '../model/index.js';

/**
 * The recommendation cache's snapshot as one `ArrayBuffer` (pure: no I/O, no clock).
 *
 * A reload that keeps 130,000 parsed documents alive makes every young-generation collection
 * during the reload copy them (docs/api.md: the GC findings). So the reload (reading, parsing,
 * serializing, sorting) runs where its garbage does not matter — a worker thread — and hands the
 * main thread one buffer plus a small layout object: each document's JSON once (UTF-8), its key,
 * the fields the list route filters and orders on, the three orders, a hash table from
 * (kind, key) to the document, and the lowercased key and label text the `q` search scans.
 * The main thread makes a dozen typed-array views over it ({@link PackedView}) and answers from
 * those; a document object is only made when a route needs one (parsed from its bytes).
 *
 * Layout: documents are grouped by kind (in order of first appearance) and, inside a kind, in
 * name order (`Intl.Collator`), so the name order is the identity and a kind is one range.
 */

/** The orders the list route offers; each is computed once per reload, never per request. */
export const SORT_KEYS = ['savings', 'memory_savings', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Where each array lives in the buffer (byte offsets; element counts follow from `count`). */
export interface PackedLayout {
  /** Documents held (after removing duplicates: the last one of a kind and key wins). */
  readonly count: number;
  /** Each kind's range of document positions, `[start, end)`. */
  readonly kinds: ReadonlyArray<{ readonly kind: string; readonly start: number; readonly end: number }>;
  /** Label names; a document's `labelId` indexes this (-1: none). */
  readonly labels: readonly string[];
  /** Severity names; a document's `severityId` indexes this. */
  readonly severities: readonly string[];
  /** The newest `@timestamp` of the documents (epoch ms), when any parses. */
  readonly newestMs?: number;
  /** Documents left out while reading (no workload kind or key). */
  readonly skipped: number;
  /** Slots of the hash table (a power of two, at least twice `count`). */
  readonly hashSlots: number;
  /** Bytes of the buffer in use (it may be larger). */
  readonly byteLength: number;
  /** Byte offsets of the arrays. */
  readonly at: {
    readonly cpuSaved: number;
    readonly memSaved: number;
    readonly docStart: number;
    readonly keyStart: number;
    readonly searchStart: number;
    readonly keyLowerLength: number;
    readonly labelId: number;
    readonly severityId: number;
    readonly bySavings: number;
    readonly byMemorySavings: number;
    readonly hash: number;
    /** The UTF-8 bytes: documents' JSON, keys, then the search text. */
    readonly bytes: number;
    /** The search text's bytes, `[searchText, searchTextEnd)`. */
    readonly searchText: number;
    readonly searchTextEnd: number;
  };
}

/**
 * A packed snapshot: the buffer and its layout. The reload worker packs into one of two
 * `SharedArrayBuffer`s the main thread shares with it (the one not being served); the in-process
 * path packs into a new `ArrayBuffer`.
 */
export interface PackedSnapshot {
  readonly buffer: ArrayBufferLike;
  readonly layout: PackedLayout;
}

/** Where to pack: a buffer of at least `bytes` (one given back may be larger, and is reused). */
export type PackAllocator = (bytes: number) => ArrayBufferLike;

/**
 * FNV-1a over the UTF-16 code units of `key`, seeded with the kind's position: the worker and
 * the main thread must hash alike, so both use this.
 */
export function keyHash(kindIndex: number, key: string): number {
  let h = (0x811c9dc5 ^ kindIndex) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const collator = new Intl.Collator();
const align8 = (n: number): number => (n + 7) & ~7;
/** Separates a document's key from its label in the search text, and ends the label (never in a lowercased key: control characters are refused in job names, and the separator only bounds a match). */
const SEP = '\u0000';

/** What the snapshot keeps of one document (its JSON and the fields the index needs). */
interface Row {
  readonly key: string;
  readonly json: string;
  readonly label: string | undefined;
  readonly severity: string;
  readonly cpu: number;
  readonly mem: number;
}

/**
 * Builds a snapshot document by document, keeping only each document's JSON and the indexed
 * fields (not the parsed object: a reader adds a page's documents and drops the page, so a
 * 130,000-document reload never holds every parsed document at once). Duplicates of a kind and
 * key keep the last one, as a map would. Savings orders are those of `sortBySavings`
 * (analysis/format): core-hours, then GiB-hours, then name order; `memory_savings` swaps the
 * first two.
 */
export class RecommendationPacker {
  private readonly _byKind = new Map<string, Map<string, Row>>();
  private _newestMs: number | undefined;

  add(d: RecommendationDoc): void {
    const t = Date.parse(d['@timestamp']);
    if (Number.isFinite(t) && (this._newestMs === undefined || t > this._newestMs)) this._newestMs = t;
    let m = this._byKind.get(d.workload.kind);
    if (!m) this._byKind.set(d.workload.kind, (m = new Map<string, Row>()));
    m.set(d.workload.key, {
      key: d.workload.key,
      json: JSON.stringify(d),
      label: d.jenkins?.label,
      severity: d.severity,
      cpu: d.savings?.cpu_core_hours_per_week ?? 0,
      mem: d.savings?.memory_gib_hours_per_week ?? 0,
    });
  }

  /** The snapshot of everything added; `skipped` is what the reader left out; `alloc` gives the buffer (default: a new ArrayBuffer). */
  finish(skipped = 0, alloc: PackAllocator = (bytes) => new ArrayBuffer(bytes)): PackedSnapshot {
    return pack(this._byKind, this._newestMs, skipped, alloc);
  }
}

/** Packs the documents of one full read (pure; see {@link RecommendationPacker}). */
export function packRecommendations(docs: readonly RecommendationDoc[], skipped = 0): PackedSnapshot {
  const p = new RecommendationPacker();
  for (const d of docs) p.add(d);
  return p.finish(skipped);
}

function pack(byKind: ReadonlyMap<string, ReadonlyMap<string, Row>>, newestMs: number | undefined, skipped: number, alloc: PackAllocator): PackedSnapshot {
  const ordered: Row[] = [];
  const kinds: Array<{ kind: string; start: number; end: number }> = [];
  for (const [kind, m] of byKind) {
    const start = ordered.length;
    const keys = [...m.keys()].sort(collator.compare);
    for (const k of keys) ordered.push(m.get(k) as Row);
    kinds.push({ kind, start, end: ordered.length });
  }
  const n = ordered.length;
  const labels: string[] = [];
  const labelIds = new Map<string, number>();
  const severities: string[] = [];
  const severityIds = new Map<string, number>();
  const idOf = (map: Map<string, number>, list: string[], v: string): number => {
    let id = map.get(v);
    if (id === undefined) map.set(v, (id = list.push(v) - 1));
    return id;
  };
  const search: string[] = new Array<string>(n);
  const keyLowerLen = new Uint32Array(n);
  const searchAt = new Uint32Array(n + 1);
  const labelOf = new Int32Array(n);
  const severityOf = new Int32Array(n);
  const cpu = new Float64Array(n);
  const mem = new Float64Array(n);
  let jsonBytes = 0;
  let keyBytes = 0;
  let searchLen = 0;
  for (let i = 0; i < n; i++) {
    const r = ordered[i] as Row;
    jsonBytes += Buffer.byteLength(r.json);
    keyBytes += Buffer.byteLength(r.key);
    labelOf[i] = r.label === undefined ? -1 : idOf(labelIds, labels, r.label);
    severityOf[i] = idOf(severityIds, severities, r.severity);
    cpu[i] = r.cpu;
    mem[i] = r.mem;
    const kl = r.key.toLowerCase();
    const s = `${kl}${SEP}${(r.label ?? '').toLowerCase()}${SEP}`;
    keyLowerLen[i] = kl.length;
    search[i] = s;
    searchAt[i] = searchLen;
    searchLen += s.length;
  }
  searchAt[n] = searchLen;
  const searchText = search.join('');
  const searchBytes = Buffer.byteLength(searchText);

  const bySavings = new Int32Array(n);
  const byMemory = new Int32Array(n);
  for (const { start, end } of kinds) {
    // Positions are name ranks inside a kind, so they break the savings orders' ties.
    const range = Array.from({ length: end - start }, (_, k) => start + k);
    const s = [...range].sort((a, b) => (cpu[b] as number) - (cpu[a] as number) || (mem[b] as number) - (mem[a] as number) || a - b);
    const m = range.sort((a, b) => (mem[b] as number) - (mem[a] as number) || (cpu[b] as number) - (cpu[a] as number) || a - b);
    bySavings.set(s, start);
    byMemory.set(m, start);
  }

  let slots = 2;
  while (slots < 2 * n) slots *= 2;
  // Offsets: 8-byte arrays first, then the 4-byte ones, then the bytes.
  let o = 0;
  const take = (bytes: number): number => {
    const at = o;
    o += bytes;
    return at;
  };
  const at = {
    cpuSaved: take(8 * n),
    memSaved: take(8 * n),
    docStart: take(4 * (n + 1)),
    keyStart: take(4 * (n + 1)),
    searchStart: take(4 * (n + 1)),
    keyLowerLength: take(4 * n),
    labelId: take(4 * n),
    severityId: take(4 * n),
    bySavings: take(4 * n),
    byMemorySavings: take(4 * n),
    hash: take(4 * slots),
    bytes: 0,
    searchText: 0,
    searchTextEnd: 0,
  };
  at.bytes = align8(o);
  at.searchText = at.bytes + jsonBytes + keyBytes;
  at.searchTextEnd = at.searchText + searchBytes;
  const buffer = alloc(at.searchTextEnd);
  if (buffer.byteLength < at.searchTextEnd) throw new RangeError(`pack buffer of ${buffer.byteLength} bytes, ${at.searchTextEnd} needed`);
  const bytes = Buffer.from(buffer);
  new Float64Array(buffer, at.cpuSaved, n).set(cpu);
  new Float64Array(buffer, at.memSaved, n).set(mem);
  new Uint32Array(buffer, at.searchStart, n + 1).set(searchAt);
  new Uint32Array(buffer, at.keyLowerLength, n).set(keyLowerLen);
  new Int32Array(buffer, at.labelId, n).set(labelOf);
  new Int32Array(buffer, at.severityId, n).set(severityOf);
  new Int32Array(buffer, at.bySavings, n).set(bySavings);
  new Int32Array(buffer, at.byMemorySavings, n).set(byMemory);
  const docStart = new Uint32Array(buffer, at.docStart, n + 1);
  const keyStart = new Uint32Array(buffer, at.keyStart, n + 1);
  let w = at.bytes;
  for (let i = 0; i < n; i++) {
    docStart[i] = w;
    w += bytes.write((ordered[i] as Row).json, w);
  }
  docStart[n] = w;
  for (let i = 0; i < n; i++) {
    keyStart[i] = w;
    w += bytes.write((ordered[i] as Row).key, w);
  }
  keyStart[n] = w;
  bytes.write(searchText, at.searchText);

  // Open addressing, linear probing; a slot holds position + 1 (0: empty).
  const hash = new Int32Array(buffer, at.hash, slots);
  // A reused buffer holds the previous table.
  hash.fill(0);
  kinds.forEach(({ start, end }, k) => {
    for (let i = start; i < end; i++) {
      let s = keyHash(k, (ordered[i] as Row).key) & (slots - 1);
      while (hash[s] !== 0) s = (s + 1) & (slots - 1);
      hash[s] = i + 1;
    }
  });
  const layout: PackedLayout = { count: n, kinds, labels, severities, skipped, hashSlots: slots, byteLength: at.searchTextEnd, at, ...(newestMs !== undefined ? { newestMs } : {}) };
  return { buffer, layout };
}

/** One page's filters (the list route's query). */
export interface PackedFilter {
  readonly label?: string;
  readonly severity?: string;
  readonly minSavings?: number;
  /** Text the lowercased key or label contains (lowercase it first). */
  readonly needle?: string;
}

const decoder = new TextDecoder();

/**
 * Read access to a {@link PackedSnapshot}: typed-array views over its buffer, made once per
 * snapshot. Lookups allocate only what the answer needs (a key's bytes to compare, a document's
 * text to parse).
 */
export class PackedView {
  readonly layout: PackedLayout;
  /** The whole buffer as a Buffer (a view, not a copy). */
  readonly bytes: Buffer;
  private readonly _docStart: Uint32Array;
  private readonly _keyStart: Uint32Array;
  private readonly _searchStart: Uint32Array;
  private readonly _keyLowerLength: Uint32Array;
  private readonly _labelId: Int32Array;
  private readonly _severityId: Int32Array;
  private readonly _cpu: Float64Array;
  private readonly _orders: Record<Exclude<SortKey, 'name'>, Int32Array>;
  private readonly _hash: Int32Array;
  private readonly _kindIndex = new Map<string, number>();
  private _searchText: string | undefined;

  constructor({ buffer, layout }: PackedSnapshot) {
    const { at, count: n } = layout;
    this.layout = layout;
    this.bytes = Buffer.from(buffer);
    this._docStart = new Uint32Array(buffer, at.docStart, n + 1);
    this._keyStart = new Uint32Array(buffer, at.keyStart, n + 1);
    this._searchStart = new Uint32Array(buffer, at.searchStart, n + 1);
    this._keyLowerLength = new Uint32Array(buffer, at.keyLowerLength, n);
    this._labelId = new Int32Array(buffer, at.labelId, n);
    this._severityId = new Int32Array(buffer, at.severityId, n);
    this._cpu = new Float64Array(buffer, at.cpuSaved, n);
    this._orders = { savings: new Int32Array(buffer, at.bySavings, n), memory_savings: new Int32Array(buffer, at.byMemorySavings, n) };
    this._hash = new Int32Array(buffer, at.hash, layout.hashSlots);
    layout.kinds.forEach((k, i) => this._kindIndex.set(k.kind, i));
  }

  /** Documents of a kind. */
  size(kind: string): number {
    const k = this._kindIndex.get(kind);
    const r = k === undefined ? undefined : this.layout.kinds[k];
    return r === undefined ? 0 : r.end - r.start;
  }

  /** The position of a kind's document with this key, or -1. */
  find(kind: string, key: string): number {
    const k = this._kindIndex.get(kind);
    if (k === undefined) return -1;
    const { start, end } = this.layout.kinds[k] as { start: number; end: number };
    const mask = this.layout.hashSlots - 1;
    let want: Buffer | undefined;
    for (let s = keyHash(k, key) & mask; ; s = (s + 1) & mask) {
      const p = (this._hash[s] as number) - 1;
      if (p < 0) return -1;
      if (p < start || p >= end) continue;
      want ??= Buffer.from(key);
      const from = this._keyStart[p] as number;
      const to = this._keyStart[p + 1] as number;
      if (to - from === want.length && this.bytes.compare(want, 0, want.length, from, to) === 0) return p;
    }
  }

  /** The document's JSON as stored, UTF-8 (a view into the buffer). */
  jsonBytes(p: number): Buffer {
    return this.bytes.subarray(this._docStart[p], this._docStart[p + 1]);
  }

  json(p: number): string {
    return decoder.decode(this.jsonBytes(p));
  }

  doc(p: number): RecommendationDoc {
    return JSON.parse(this.json(p)) as RecommendationDoc;
  }

  key(p: number): string {
    return decoder.decode(this.bytes.subarray(this._keyStart[p], this._keyStart[p + 1]));
  }

  /** Label name of a document, undefined when it has none. */
  label(p: number): string | undefined {
    const id = this._labelId[p] as number;
    return id < 0 ? undefined : this.layout.labels[id];
  }

  /**
   * The positions of a kind in one order (`asc` reverses it), keeping those that pass `filter`:
   * `visit` gets each with its place among those kept; returning false stops.
   */
  scan(kind: string, sort: SortKey, reverse: boolean, filter: PackedFilter | undefined, visit: (p: number, place: number) => boolean | void): void {
    const k = this._kindIndex.get(kind);
    const r = k === undefined ? undefined : this.layout.kinds[k];
    if (r === undefined) return;
    const order = sort === 'name' ? undefined : this._orders[sort];
    const len = r.end - r.start;
    const pass = filter === undefined ? undefined : this._predicate(filter, r.start, r.end);
    let place = 0;
    for (let i = 0; i < len; i++) {
      const j = r.start + (reverse ? len - 1 - i : i);
      const p = order === undefined ? j : (order[j] as number);
      if (pass !== undefined && !pass(p)) continue;
      if (visit(p, place++) === false) return;
    }
  }

  private _predicate(f: PackedFilter, start: number, end: number): (p: number) => boolean {
    const label = f.label === undefined ? undefined : this.layout.labels.indexOf(f.label);
    const severity = f.severity === undefined ? undefined : this.layout.severities.indexOf(f.severity);
    const hits = f.needle === undefined ? undefined : this._matches(f.needle, start, end);
    const min = f.minSavings;
    return (p) =>
      (label === undefined || (label >= 0 && this._labelId[p] === label)) &&
      (severity === undefined || (severity >= 0 && this._severityId[p] === severity)) &&
      (min === undefined || (this._cpu[p] as number) >= min) &&
      (hits === undefined || hits[p - start] === 1);
  }

  /** Which documents of `[start, end)` have `needle` in their lowercased key or label: one scan of the search text. */
  private _matches(needle: string, start: number, end: number): Uint8Array {
    const hits = new Uint8Array(end - start);
    const text = (this._searchText ??= decoder.decode(this.bytes.subarray(this.layout.at.searchText, this.layout.at.searchTextEnd)));
    const first = this._searchStart[start] as number;
    const last = this._searchStart[end] as number;
    if (needle === '') {
      hits.fill(1);
      return hits;
    }
    let p = start;
    for (let i = text.indexOf(needle, first); i >= 0 && i + needle.length <= last; i = text.indexOf(needle, i + 1)) {
      while ((this._searchStart[p + 1] as number) <= i) p++;
      const s = this._searchStart[p] as number;
      const keyEnd = s + (this._keyLowerLength[p] as number);
      const labelEnd = (this._searchStart[p + 1] as number) - 1;
      const e = i + needle.length;
      if ((i >= s && e <= keyEnd) || (i > keyEnd && e <= labelEnd)) hits[p - start] = 1;
    }
    return hits;
  }
}
