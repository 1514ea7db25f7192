/**
 * Shared pieces of the parser fuzz (fault case 5, docs/faults.md): the fixed seed, hostile values,
 * mutations of valid bodies, truncated byte prefixes, the real captures read at test time, and
 * the document checks (no NaN, no Infinity, no negative figure, whole bytes and milliseconds).
 *
 * Every property runs a fixed number of times from a fixed seed, so a run is the same run every
 * time; fast-check prints the seed and the shrunk counterexample when one fails. Another seed:
 * `RIGHTSIZE_FUZZ_SEED=<n>`; more runs: `RIGHTSIZE_FUZZ_RUNS_FACTOR=<k>` (both for a manual hunt).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { REAL_CAPTURES_DIR } from '../../support/env.js';

/** The seed of every property of the fuzz (printed by fast-check on a failure). */
export const FUZZ_SEED = Number(process.env['RIGHTSIZE_FUZZ_SEED'] ?? 20261207);
const RUNS_FACTOR = Number(process.env['RIGHTSIZE_FUZZ_RUNS_FACTOR'] ?? 1);

/** Runs of every property, summed over a test file (each suite prints its total). */
export const runsDone = { count: 0 };

/** `fc.assert` with the fuzz's seed and a fixed run count. */
export function fuzz<T>(property: fc.IProperty<T>, numRuns: number): void {
  const runs = Math.max(1, Math.round(numRuns * RUNS_FACTOR));
  fc.assert(property, { seed: FUZZ_SEED, numRuns: runs });
  runsDone.count += runs;
}

/** The async twin of {@link fuzz}. */
export async function fuzzAsync<T>(property: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  const runs = Math.max(1, Math.round(numRuns * RUNS_FACTOR));
  await fc.assert(property, { seed: FUZZ_SEED, numRuns: runs });
  runsDone.count += runs;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/**
 * The JSON bodies of one folder of ../shared/real-captures (sorted by name), read at test time and
 * never copied into the project. Empty when the folder is absent: the fuzz then runs on its
 * synthetic inputs alone (it is never skipped).
 */
export function realCaptures(folder: string, namePattern: RegExp = /\.json$/): Array<{ readonly name: string; readonly body: unknown }> {
  const dir = join(REAL_CAPTURES_DIR, folder);
  if (!existsSync(dir)) return [];
  const out: Array<{ name: string; body: unknown }> = [];
  for (const name of readdirSync(dir).filter((n) => namePattern.test(n)).sort()) {
    try {
      out.push({ name, body: JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown });
    } catch {
      // not JSON (a note, a partial capture): not a sample
    }
  }
  return out;
}

/** The real traces folder shipped beside the real captures (never copied into the project). */
export const REAL_TRACES_DIR = join(REAL_CAPTURES_DIR, '..', 'real-traces');

/**
 * The first `max` non-empty lines of one NDJSON trace (gzip or not) of ../shared/real-traces,
 * read at test time. Empty when the file is absent: the fuzz then runs on its synthetic lines.
 */
export function realTraceLines(relativePath: string, max: number): string[] {
  const file = join(REAL_TRACES_DIR, relativePath);
  if (!existsSync(file)) return [];
  const raw = readFileSync(file);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const out: string[] = [];
  let pos = 0;
  while (out.length < max && pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl).trim();
    if (line !== '') out.push(line);
    pos = nl + 1;
  }
  return out;
}

/** Cuts `bytes` into chunks at the given cut points (sorted, deduplicated, within the buffer): chunk boundaries anywhere, 1-byte chunks too. */
export function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].filter((c) => c > 0).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    if (c > prev) out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

/** A very long string (longer than any cap in the parsers). */
export const LONG_STRING = 'x'.repeat(100_000);

/** Keys that mean something to JavaScript objects. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'] as const;

/** Values a hostile or broken server (or a corrupt file) can put where a number, string or object belongs. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    NaN,
    Infinity,
    -Infinity,
    -1,
    -0,
    -1e300,
    1e300,
    2 ** 53,
    2 ** 63,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    0.5,
    -0.5,
    1.5,
    0,
    '',
    '12',
    '-1',
    'NaN',
    '1e999',
    '__proto__',
    'constructor',
    LONG_STRING,
    '\u0000\u001f\u007f',
    '\ud800',
    '💥🧨 ü ß 漢字',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999999Z',
    true,
    false,
    null,
    [],
    {},
    [null],
    { __proto__: null },
  ),
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A JSON value whose keys include the hostile ones (as own properties, as `JSON.parse` makes them). */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileValue, tie('object'), tie('array')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.array(fc.tuple(fc.oneof(fc.constantFrom<string>(...HOSTILE_KEYS), fc.string({ maxLength: 8 })), tie('value')), { maxLength: 5 }).map(ownObject),
})).value;

/** An object with exactly these own properties (`__proto__` too), as `JSON.parse` builds it. */
export function ownObject(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

type Path = ReadonlyArray<string | number>;

/** Every path into `value` (objects and arrays), the root excluded; long arrays are sampled. */
export function pathsOf(value: unknown, max = 4000): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: Path): void => {
    if (out.length >= max) return;
    if (Array.isArray(v)) {
      const step = Math.max(1, Math.floor(v.length / 16));
      for (let i = 0; i < v.length; i += step) {
        out.push([...path, i]);
        walk(v[i], [...path, i]);
      }
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        out.push([...path, k]);
        walk((v as Record<string, unknown>)[k], [...path, k]);
      }
    }
  };
  walk(value, []);
  return out;
}

/** One change to a valid body. */
type Mutation =
  | { readonly kind: 'delete'; readonly pick: number }
  | { readonly kind: 'replace'; readonly pick: number; readonly value: unknown }
  | { readonly kind: 'addKey'; readonly pick: number; readonly key: string; readonly value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: hostileJson }),
  fc.record({ kind: fc.constant('addKey' as const), pick: fc.nat(), key: fc.constantFrom<string>(...HOSTILE_KEYS), value: hostileJson }),
);

function cloneJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneJson);
  if (v !== null && typeof v === 'object') return ownObject(Object.entries(v).map(([k, x]) => [k, cloneJson(x)] as const));
  return v;
}

function apply(root: unknown, m: Mutation, paths: readonly Path[]): unknown {
  if (paths.length === 0) return m.kind === 'replace' ? m.value : root;
  const path = paths[m.pick % paths.length]!;
  let parent: unknown = root;
  for (const step of path.slice(0, -1)) {
    // an earlier change removed or replaced this part of the body: nothing left to change here
    if (parent === null || typeof parent !== 'object') return root;
    parent = (parent as Record<string | number, unknown>)[step];
  }
  if (parent === null || typeof parent !== 'object') return root;
  const last = path[path.length - 1]!;
  const p = parent as Record<string | number, unknown> & unknown[];
  if (m.kind === 'delete') {
    if (Array.isArray(p)) p.splice(Number(last), 1);
    else delete p[last];
  } else if (m.kind === 'replace') {
    Object.defineProperty(p, last, { value: m.value, enumerable: true, writable: true, configurable: true });
  } else {
    const target = p[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return root;
}

/** `base` with 1–`maxChanges` fields deleted, replaced by hostile values, or hostile keys added. */
export function mutated(base: unknown, maxChanges = 4): fc.Arbitrary<unknown> {
  const paths = pathsOf(base);
  return fc.array(mutation, { minLength: 1, maxLength: maxChanges }).map((ms) => {
    let v = cloneJson(base);
    for (const m of ms) v = apply(v, m, paths);
    return v;
  });
}

/** One of `bases`, mutated. */
export function mutatedOneOf(bases: readonly unknown[], maxChanges = 4): fc.Arbitrary<unknown> {
  return fc.oneof(...bases.map((b) => mutated(b, maxChanges)));
}

/** A byte prefix of `text` as UTF-8 (it may end inside a multi-byte character). */
export function truncatedBytes(text: string): fc.Arbitrary<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  return fc.integer({ min: 0, max: Math.max(0, bytes.length - 1) }).map((n) => bytes.subarray(0, n));
}

/**
 * What the HTTP clients hand a parser for a body: the JSON value, or `undefined` when the text is
 * not JSON (the client's own `RS_ERR_PARSE_JSON`, before any parser runs).
 */
export function decodeBody(bytes: Buffer): { readonly json: true; readonly value: unknown } | { readonly json: false } {
  try {
    return { json: true, value: JSON.parse(new TextDecoder('utf-8').decode(bytes)) as unknown };
  } catch {
    return { json: false };
  }
}

// ---------------------------------------------------------------------------------------------
// Document checks

/** A number of a produced document that breaks the data model, with its path; undefined when none. */
export interface NumberProblem {
  readonly path: string;
  readonly value: number;
  readonly why: string;
}

/**
 * Checks every number of a produced document against docs/data-model.md: finite, ≥ 0 (except the
 * paths in `signed`), whole for `*_ms` and `*_bytes` (`long` fields, producers round), at most
 * 2^53 (exact in a double, fits a `long`), and `*percent`/`*ratio`/`coverage` in 0..1.
 */
export function numberProblems(doc: unknown, signed: readonly string[] = []): NumberProblem[] {
  const out: NumberProblem[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') {
      const last = path.split('.').pop() ?? '';
      if (!Number.isFinite(v)) out.push({ path, value: v, why: 'not finite' });
      else if (v < 0 && !signed.includes(path)) out.push({ path, value: v, why: 'negative' });
      else if (Math.abs(v) > 2 ** 53) out.push({ path, value: v, why: 'above 2^53' });
      else if ((/_ms$/.test(last) || /_bytes$/.test(last) || last === 'p50' || last === 'p95' || last === 'max') && !Number.isInteger(v)) out.push({ path, value: v, why: 'not whole (long field)' });
      else if ((/percent$/.test(last) || /ratio$/.test(last) || last === 'coverage') && v > 1) out.push({ path, value: v, why: 'fraction above 1' });
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path === '' ? k : `${path}.${k}`);
  };
  walk(doc, '');
  return out;
}

/** Fails with the offending numbers (path, value, why) when {@link numberProblems} finds any. */
export function expectSaneNumbers(doc: unknown, signed: readonly string[] = []): void {
  const problems = numberProblems(doc, signed);
  if (problems.length > 0) throw new Error(`numbers against docs/data-model.md: ${JSON.stringify(problems.map((p) => ({ ...p, value: String(p.value) })))}`);
}

/** True when no key of `doc` (at any depth) is `__proto__` and no object has another prototype than Object's or Array's. */
export function plainData(doc: unknown): boolean {
  if (doc === null || typeof doc !== 'object') return true;
  const proto = Object.getPrototypeOf(doc) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return false;
  return Object.values(doc).every(plainData);
}
