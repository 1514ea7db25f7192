import type { BuildRecord } from '../recommend/records.js';

/** The numeric fields of a build record, one typed column each (NaN = unmeasured). */
const NUMERIC = [
  'number',
  'startMs',
  'endMs',
  'durationMs',
  'requestCpuCores',
  'requestMemoryBytes',
  'cpuAvgCores',
  'cpuP50Cores',
  'cpuP95Cores',
  'cpuMaxCores',
  'cpuCoreSeconds',
  'throttledRatio',
  'memoryAvgBytes',
  'memoryPeakBytes',
  'sampleCount',
] as const satisfies ReadonlyArray<keyof BuildRecord>;
type NumericField = (typeof NUMERIC)[number];

const OOM = 1;
const SHARED = 2;

/** Interns strings to small integers (job names, labels, results repeat across builds). */
class Interner {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

/**
 * Every build of a trace as compact columns (about 130 bytes per build: 15 Float64 columns, the
 * interned workload key, job, label and result, and two flags) instead of one object per build,
 * so a replay of 1,000,000 builds holds ~130 MB of builds, not gigabytes of objects. `record(i)`
 * materialises one build when a policy needs it (the replay does so one job at a time).
 */
export class BuildColumns {
  private cap = 0;
  private n = 0;
  private cols = {} as Record<NumericField, Float64Array>;
  private keyIds: Uint32Array = new Uint32Array(0);
  private jobIds: Uint32Array = new Uint32Array(0);
  private labelIds: Int32Array = new Int32Array(0);
  private resultIds: Int32Array = new Int32Array(0);
  private flags: Uint8Array = new Uint8Array(0);
  private readonly keys = new Interner();
  private readonly jobs = new Interner();
  private readonly labels = new Interner();
  private readonly results = new Interner();
  /** First start and last end over all builds (the replay's default split is their middle). */
  minStartMs = Infinity;
  maxEndMs = -Infinity;

  constructor(initialCapacity = 1024) {
    this.grow(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.n;
  }

  /** Number of distinct workload keys. */
  get keyCount(): number {
    return this.keys.values.length;
  }

  keyName(id: number): string {
    return this.keys.values[id]!;
  }

  keyIdOf(i: number): number {
    return this.keyIds[i]!;
  }

  startMsOf(i: number): number {
    return this.cols.startMs[i]!;
  }

  endMsOf(i: number): number {
    return this.cols.endMs[i]!;
  }

  private grow(cap: number): void {
    const copyF = (a: Float64Array | undefined): Float64Array => {
      const b = new Float64Array(cap);
      if (a) b.set(a.subarray(0, this.n));
      return b;
    };
    for (const f of NUMERIC) this.cols[f] = copyF(this.cols[f]);
    const u32 = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    const i32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.keyIds = u32(this.keyIds);
    this.jobIds = u32(this.jobIds);
    this.labelIds = i32(this.labelIds);
    this.resultIds = i32(this.resultIds);
    const fl = new Uint8Array(cap);
    fl.set(this.flags.subarray(0, this.n));
    this.flags = fl;
    this.cap = cap;
  }

  add(b: BuildRecord): void {
    if (this.n === this.cap) this.grow(this.cap * 2);
    const i = this.n++;
    for (const f of NUMERIC) this.cols[f][i] = b[f] ?? NaN;
    this.keyIds[i] = this.keys.id(b.key);
    this.jobIds[i] = this.jobs.id(b.job);
    this.labelIds[i] = b.label === undefined ? -1 : this.labels.id(b.label);
    this.resultIds[i] = b.result === undefined ? -1 : this.results.id(b.result);
    this.flags[i] = (b.oomKilled ? OOM : 0) | (b.sharedAgent ? SHARED : 0);
    if (b.startMs < this.minStartMs) this.minStartMs = b.startMs;
    if (b.endMs > this.maxEndMs) this.maxEndMs = b.endMs;
  }

  /** Build `i` as a record (a fresh object; undefined fields are absent, as the trace reader makes them). */
  record(i: number): BuildRecord {
    const out: Record<string, unknown> = { key: this.keys.values[this.keyIds[i]!], job: this.jobs.values[this.jobIds[i]!] };
    for (const f of NUMERIC) {
      const v = this.cols[f][i]!;
      if (!Number.isNaN(v)) out[f] = v;
    }
    const l = this.labelIds[i]!;
    if (l >= 0) out.label = this.labels.values[l];
    const r = this.resultIds[i]!;
    if (r >= 0) out.result = this.results.values[r];
    out.oomKilled = (this.flags[i]! & OOM) !== 0;
    out.sharedAgent = (this.flags[i]! & SHARED) !== 0;
    return out as unknown as BuildRecord;
  }

  /**
   * Build indices grouped by workload key (keys in first-seen order), each group ascending by
   * start, then end, then input order (the walk-forward order). `offsets[k]…offsets[k+1]` is key k.
   */
  groupedByKey(): { order: Uint32Array; offsets: Uint32Array } {
    const nk = this.keyCount;
    const offsets = new Uint32Array(nk + 1);
    for (let i = 0; i < this.n; i++) offsets[this.keyIds[i]! + 1]!++;
    for (let k = 0; k < nk; k++) offsets[k + 1]! += offsets[k]!;
    const fill = offsets.slice(0, nk);
    const order = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) order[fill[this.keyIds[i]!]!++] = i;
    const start = this.cols.startMs;
    const end = this.cols.endMs;
    for (let k = 0; k < nk; k++) {
      const seg = order.subarray(offsets[k], offsets[k + 1]);
      let sorted = true;
      for (let j = 1; j < seg.length && sorted; j++) {
        const a = seg[j - 1]!;
        const b = seg[j]!;
        sorted = start[a]! < start[b]! || (start[a] === start[b] && end[a]! <= end[b]!);
      }
      if (!sorted) seg.sort((a, b) => start[a]! - start[b]! || end[a]! - end[b]! || a - b);
    }
    return { order, offsets };
  }

  /** Builds from an array (tests, benches). */
  static from(builds: Iterable<BuildRecord>): BuildColumns {
    const c = new BuildColumns();
    for (const b of builds) c.add(b);
    return c;
  }
}
