import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { RightsizeError } from '../../errors/index.js';

/** Longest accepted trace line (a builds document is ~1 KB); a longer one is refused, not buffered. */
export const MAX_TRACE_LINE_CHARS = 1024 * 1024;

/** What the line reader hands over: a line, or the fact that one was too long (its text dropped). */
export interface TraceLineSink {
  line(text: string): void;
  tooLong(): void;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Chunks of `input`, gunzipped when the first bytes are the gzip magic (whatever the file is called). */
async function* decodedChunks(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  // The magic is 2 bytes, and a stream may hand over 1 byte first (a pipe, a slow stdin): read
  // until 2 bytes are there or the stream ends. Checking the first chunk alone read a gzip whose
  // first chunk was 1 byte as text (fault case 5).
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const n = await it.next();
    if (n.done === true) break;
    head = Buffer.concat([head, Buffer.isBuffer(n.value) ? n.value : Buffer.from(n.value)]);
  }
  if (head.length === 0) return;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done === true) return;
      yield Buffer.isBuffer(n.value) ? n.value : Buffer.from(n.value);
    }
  }
  if (head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1) {
    const gunzip = createGunzip();
    const raw = Readable.from(all());
    raw.on('error', (err) => gunzip.destroy(err));
    raw.pipe(gunzip);
    try {
      for await (const c of gunzip as AsyncIterable<Buffer>) yield c;
    } finally {
      raw.destroy();
    }
    return;
  }
  yield* all();
}

/**
 * Streams a trace line by line into `sink`: `source` is a file path or `-` for `stdin`; gzip
 * (`.ndjson.gz`, or any gzip stream) is decoded on the fly. Memory holds one chunk and one line,
 * whatever the size of the trace; a line over {@link MAX_TRACE_LINE_CHARS} is reported as too long
 * and skipped.
 *
 * @throws RightsizeError `RS_ERR_TRACE_READ` when the file cannot be opened or the stream fails
 *   (a corrupt gzip, an I/O error), naming the source.
 */
export async function readTraceLines(source: string, stdin: Readable, sink: TraceLineSink): Promise<void> {
  const name = source === '-' ? 'standard input' : source;
  const input: Readable = source === '-' ? stdin : createReadStream(source);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let skipping = false;
  const take = (text: string): void => {
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      if (skipping) skipping = false;
      // a line that ends inside this chunk is held to the same limit as one still pending: the
      // check after the loop saw only the chunk's last, unfinished line, so an over-long line
      // whose newline came in the same chunk was handed over (fault case 5)
      else if (pending.length + (nl - pos) > MAX_TRACE_LINE_CHARS) sink.tooLong();
      else sink.line(pending + text.slice(pos, nl));
      pending = '';
      pos = nl + 1;
    }
    if (skipping) return;
    pending += text.slice(pos);
    if (pending.length > MAX_TRACE_LINE_CHARS) {
      sink.tooLong();
      pending = '';
      skipping = true;
    }
  };
  try {
    for await (const chunk of decodedChunks(input as AsyncIterable<Buffer>)) take(decoder.write(chunk));
    take(decoder.end());
    if (!skipping && pending !== '') sink.line(pending);
  } catch (err) {
    throw new RightsizeError('RS_ERR_TRACE_READ', `cannot read trace ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    if (source !== '-') input.destroy();
  }
}
