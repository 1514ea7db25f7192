/**
 * Fault case 5, trace files: `readTraceLines` (NDJSON and gzip, from a stream or a file) with
 * chunk boundaries anywhere (1-byte chunks, inside a UTF-8 character, inside the gzip magic),
 * truncated and corrupt gzip, over-long lines; and the trace document reader (`TraceReader`,
 * `parseTrace`) fed mutated real trace lines and hostile JSON. The real lines are the first ones
 * of ../shared/real-traces/bitbrains-rnd/builds.ndjson.gz (read here, never copied).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrace, TraceReader, type BuildRecord } from '../../../src/analysis/index.js';
import { MAX_TRACE_LINE_CHARS, readTraceLines } from '../../../src/analysis/service/index.js';
import { RightsizeError } from '../../../src/errors/index.js';
import { BUILD_MAX_CPU_CORES, BUILD_MAX_DURATION_MS, BUILD_MAX_EPOCH_MS, BUILD_MAX_MEMORY_BYTES } from '../../../src/util/index.js';
import { chunked, FUZZ_SEED, fuzzAsync, fuzz, hostileJson, mutatedOneOf, realTraceLines, runsDone } from './support.js';

const REAL = realTraceLines('bitbrains-rnd/builds.ndjson.gz', 64);
const SYNTHETIC = JSON.stringify({
  '@timestamp': '2026-11-22T03:00:00.000Z',
  jenkins: { job: { name: 'team/deploy' }, build: { number: 7 }, result: 'SUCCESS', label: 'docker' },
  build: { start: 1795316400000, end: 1795316460000, duration_ms: 60000 },
  request: { cpu_cores: 2, memory_bytes: 4294967296 },
  usage: { cpu: { avg_cores: 0.5, p95_cores: 1.2, max_cores: 1.9 }, memory: { peak_bytes: 3221225472 }, sample_count: 12, coverage: 1 },
});
const LINES = [SYNTHETIC, ...REAL];
const DOCS = LINES.map((l) => JSON.parse(l) as unknown);

/** What readTraceLines handed over. */
interface Read {
  readonly lines: string[];
  readonly tooLong: number;
}

async function readStream(chunks: readonly Buffer[]): Promise<Read> {
  const lines: string[] = [];
  let tooLong = 0;
  await readTraceLines('-', Readable.from(chunks), { line: (t) => lines.push(t), tooLong: () => tooLong++ });
  return { lines, tooLong };
}

/** The lines a reader must hand over for `text`: every piece between newlines, the last one only when not empty. */
function expectedLines(text: string): string[] {
  const pieces = text.split('\n');
  if (pieces[pieces.length - 1] === '') pieces.pop();
  return pieces;
}

/** Every number of a build record is finite, non-negative and within the document's bounds. */
function checkRecord(b: BuildRecord): void {
  expect(b.job.length).toBeGreaterThan(0);
  expect(b.key.length).toBeGreaterThan(0);
  expect(Number.isSafeInteger(b.number) && b.number >= 0).toBe(true);
  expect(b.startMs >= 0 && b.startMs <= b.endMs && b.endMs < BUILD_MAX_EPOCH_MS).toBe(true);
  expect(b.durationMs >= 0 && b.durationMs <= BUILD_MAX_DURATION_MS).toBe(true);
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') {
      if (!(Number.isFinite(v) && v >= 0)) throw new Error(`${path} = ${v}`);
      if (/cores$/i.test(path)) expect(v).toBeLessThanOrEqual(BUILD_MAX_CPU_CORES);
      if (/bytes$/i.test(path)) expect(v).toBeLessThanOrEqual(BUILD_MAX_MEMORY_BYTES);
    } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(b, 'record');
}

const text = fc.array(fc.oneof(fc.constantFrom(...LINES), fc.string({ unit: 'grapheme', maxLength: 60 }), fc.constantFrom('', '\r', '{', '💥🧨 ü ß 漢字')), { maxLength: 12 }).map((ls) => ls.join('\n'));
const cuts = fc.array(fc.nat(), { maxLength: 30 });

describe('trace files under fuzz (fault case 5)', () => {
  afterAll(() => {
    process.stdout.write(`[fuzz trace] seed ${FUZZ_SEED}, ${runsDone.count} runs, ${REAL.length} real trace lines read\n`);
  });

  it('plain NDJSON in chunks cut anywhere (inside UTF-8 characters too) → exactly its lines', async () => {
    await fuzzAsync(
      fc.asyncProperty(text, cuts, fc.boolean(), async (t, cs, trailingNewline) => {
        const full = trailingNewline ? `${t}\n` : t;
        const r = await readStream(chunked(Buffer.from(full, 'utf8'), cs));
        expect(r).toEqual({ lines: expectedLines(full), tooLong: 0 });
      }),
      300,
    );
  });

  it('gzip in chunks cut anywhere, a first chunk of 1 byte (half the magic) too → the same lines as plain', async () => {
    await fuzzAsync(
      fc.asyncProperty(text, cuts, fc.boolean(), async (t, cs, oneByteFirst) => {
        const gz = gzipSync(Buffer.from(t, 'utf8'));
        const r = await readStream(chunked(gz, oneByteFirst ? [1, ...cs] : cs));
        expect(r).toEqual({ lines: expectedLines(t), tooLong: 0 });
      }),
      200,
    );
  });

  it('truncated or corrupted gzip → the lines before the damage, then RS_ERR_TRACE_READ naming the source; never another error', async () => {
    await fuzzAsync(
      fc.asyncProperty(text, fc.nat(), fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }))), cuts, async (t, cutAt, flip, cs) => {
        const gz = Buffer.from(gzipSync(Buffer.from(t, 'utf8')));
        if (flip !== null) gz[2 + (flip[0] % (gz.length - 2))]! ^= flip[1];
        const damaged = flip !== null ? gz : gz.subarray(0, 2 + (cutAt % (gz.length - 2)));
        try {
          const r = await readStream(chunked(damaged, cs));
          // a flipped byte the inflater does not notice (in the header's mtime or OS field) still gives lines
          expect(flip).not.toBeNull();
          expect(r.tooLong).toBe(0);
        } catch (err) {
          if (!(err instanceof RightsizeError)) throw err;
          expect(err.code).toBe('RS_ERR_TRACE_READ');
          expect(err.message).toContain('standard input');
        }
      }),
      200,
    );
  });

  it('over-long lines among short ones → one tooLong each, the short lines intact', async () => {
    await fuzzAsync(
      fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom(...LINES.slice(0, 4)), fc.constant('LONG')), { minLength: 1, maxLength: 4 }), cuts, fc.boolean(), async (parts, cs, gzip) => {
        const long = 'x'.repeat(MAX_TRACE_LINE_CHARS + 1);
        const full = parts.map((p) => (p === 'LONG' ? long : p)).join('\n');
        const bytes = Buffer.from(full, 'utf8');
        const r = await readStream(chunked(gzip ? gzipSync(bytes) : bytes, cs.map((c) => c * 4099)));
        expect(r.tooLong).toBe(parts.filter((p) => p === 'LONG').length);
        expect(r.lines).toEqual(parts.filter((p) => p !== 'LONG'));
      }),
      20,
    );
  });

  it('files: .ndjson and .ndjson.gz by path, the same lines; a missing file is RS_ERR_TRACE_READ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rightsize-fuzz-trace-'));
    try {
      await fuzzAsync(
        fc.asyncProperty(text, fc.boolean(), async (t, gzip) => {
          const file = join(dir, gzip ? 'builds.ndjson.gz' : 'builds.ndjson');
          writeFileSync(file, gzip ? gzipSync(Buffer.from(t, 'utf8')) : t);
          const lines: string[] = [];
          await readTraceLines(file, Readable.from([]), { line: (l) => lines.push(l), tooLong: () => expect.unreachable() });
          expect(lines).toEqual(expectedLines(t));
        }),
        60,
      );
      await expect(readTraceLines(join(dir, 'absent.ndjson'), Readable.from([]), { line: () => undefined, tooLong: () => undefined })).rejects.toMatchObject({ code: 'RS_ERR_TRACE_READ' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mutated real trace lines and hostile JSON lines → TraceReader and parseTrace never throw; every build kept is finite, non-negative, bounded', () => {
    const line = fc.oneof(
      fc.constantFrom(...LINES),
      mutatedOneOf(DOCS, 4).map((v) => JSON.stringify(v) ?? 'undefined'),
      hostileJson.map((v) => JSON.stringify(v) ?? 'undefined'),
      fc.string({ unit: 'binary', maxLength: 80 }),
    );
    fuzz(
      fc.property(fc.array(line, { maxLength: 8 }), fc.boolean(), (lines, split) => {
        const reader = new TraceReader(split);
        let kept = 0;
        for (const l of lines) {
          const b = reader.line(l);
          if (b !== undefined) {
            kept++;
            checkRecord(b);
          }
        }
        expect(reader.builds).toBe(kept);
        expect(reader.builds + reader.refused).toBe(reader.lines);
        const parsed = parseTrace(lines.join('\n'));
        expect(parsed.builds.length + parsed.problems.length).toBe(parsed.lines);
        for (const p of parsed.problems) expect(['RS_ERR_PARSE_JSON', 'RS_ERR_PARSE_SHAPE']).toContain(p.code);
      }),
      400,
    );
  });
});
