import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generateTrace, TraceReader } from '../../src/analysis/index.js';
import { MAX_TRACE_LINE_CHARS, readTraceLines } from '../../src/analysis/service/index.js';

// Issue 14 "Also": a 635 MB trace was refused with V8's raw "Cannot create a string longer than
// 0x1fffffe8 characters", coded as a usage error: the CLI read the whole file into one string.
// The trace is now streamed line by line: memory holds one chunk and one line, and a line too long
// to be a builds document is refused and counted instead of buffered.
describe('regression: a large trace is streamed, not read into one string', () => {
  it('reads every line of a stream of many chunks, refusing an over-long line', async () => {
    const lines = generateTrace({ jobs: 20, buildsPerJob: 50, seed: 2 }).map((d) => JSON.stringify(d));
    function* chunks(): Generator<Buffer> {
      for (let i = 0; i < lines.length; i++) {
        // Split each line across two chunks so lines never align with chunk boundaries.
        const l = lines[i]! + '\n';
        yield Buffer.from(l.slice(0, 7));
        yield Buffer.from(l.slice(7));
        if (i === 500) for (let k = 0; k < 3; k++) yield Buffer.from('x'.repeat(MAX_TRACE_LINE_CHARS / 2));
        if (i === 500) yield Buffer.from('\n');
      }
    }
    const reader = new TraceReader();
    let builds = 0;
    await readTraceLines('-', Readable.from(chunks()), { line: (t) => (reader.line(t) !== undefined ? builds++ : 0), tooLong: () => reader.tooLong() });
    expect(builds).toBe(lines.length);
    expect(reader.refused).toBe(1);
    expect(reader.problems[0]).toMatchObject({ line: 502, code: 'RS_ERR_PARSE_SHAPE' });
  });

  it('reports an unreadable trace as a runtime error, not a usage error', async () => {
    await expect(readTraceLines('/nonexistent/trace.ndjson', Readable.from([]), { line: () => undefined, tooLong: () => undefined })).rejects.toMatchObject({
      code: 'RS_ERR_TRACE_READ',
    });
  });
});
